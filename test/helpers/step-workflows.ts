// The outside world of the step runner's tests: a real HTTP server on 127.0.0.1 that records every
// call a step or an undo makes, applies each request at most once per idempotency reference (as an
// upstream does with a client order id), and answers as the test's plan says; and a three-step
// workflow that calls it, shared by the test and the child process it kills.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineStep, defineWorkflow, TryStepLater, type Workflow } from '../../src/core/steps/index.js';

export interface EffectCall {
  /** `do` (a step) or `undo` (its compensation). */
  kind: 'do' | 'undo';
  step: string;
  reference: string;
  key: string;
  /** What the call carried from an earlier step's output, if anything. */
  carried: string | null;
}

/** How the server answers a call: a status (2xx applies it), or `pending` (202: not known yet). */
export type EffectPlan = (call: EffectCall, nth: number) => number;

export interface EffectServer {
  url: string;
  calls: EffectCall[];
  plan: EffectPlan;
  /** Calls of one kind for one step. */
  callsOf(kind: EffectCall['kind'], step: string): EffectCall[];
  /** Effects applied (2xx answers), at most once per kind and reference. */
  applied: Map<string, number>;
  close(): Promise<void>;
}

export async function startEffectServer(plan: EffectPlan = () => 200): Promise<EffectServer> {
  const calls: EffectCall[] = [];
  const applied = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EffectCall;
      calls.push(call);
      const nth = calls.filter((c) => c.kind === call.kind && c.step === call.step && c.key === call.key).length;
      const status = effects.plan(call, nth);
      const id = `${call.kind}:${call.reference}`;
      // A repeat of an applied request is answered as the first was, and applies nothing again.
      if (status >= 200 && status < 300 && status !== 202 && !applied.has(id)) applied.set(id, 1);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: `up-${call.reference}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const effects: EffectServer = {
    url: `http://127.0.0.1:${port}`,
    calls,
    plan,
    applied,
    callsOf: (kind, step) => calls.filter((c) => c.kind === kind && c.step === step),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return effects;
}

export interface ForwardingInput {
  orderId: string;
  /** Something a step sends out that must never rest in clear. */
  secret: string;
}

async function call(url: string, body: EffectCall): Promise<{ status: number; id: string }> {
  const response = await fetch(`${url}/${body.kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as { id: string };
  return { status: response.status, id: answer.id };
}

export const FORWARDING_STEPS = ['reserve', 'send', 'deliver'] as const;

/**
 * reserve → send → deliver, each calling the server with its reference; `send` returns the
 * upstream's id and the secret (so its output must be sealed), `deliver` carries that id. A 202
 * makes a step try later; any other non-2xx fails it. `afterCall` runs once a call was answered,
 * before the step returns (the child process stops there to be killed mid-step).
 */
export function forwardingWorkflow(url: string, hooks: { afterCall?: (step: string) => Promise<void> } = {}): Workflow<ForwardingInput> {
  const effect = (step: string) => async (input: ForwardingInput, reference: string, key: string, carried: string | null) => {
    const answer = await call(url, { kind: 'do', step, reference, key, carried });
    await hooks.afterCall?.(step);
    if (answer.status === 202) throw new TryStepLater(`${step}: the upstream has not decided yet`, 60_000);
    if (answer.status >= 300) throw new Error(`${step}: the upstream answered ${answer.status}`);
    return answer.id;
  };
  const undo = async (step: string, reference: string, key: string) => {
    const answer = await call(url, { kind: 'undo', step, reference, key, carried: null });
    if (answer.status >= 300) throw new Error(`undo ${step}: the upstream answered ${answer.status}`);
  };
  const reserve = defineStep<ForwardingInput, { reservation: string }>('reserve', {
    run: async (input, ctx) => ({ reservation: await effect('reserve')(input, ctx.reference, ctx.runKey, null) }),
    compensate: (_input, _output, ctx) => undo('reserve', ctx.reference, ctx.runKey),
  });
  const send = defineStep<ForwardingInput, { upstreamId: string; secret: string }>('send', {
    run: async (input, ctx) => ({ upstreamId: await effect('send')(input, ctx.reference, ctx.runKey, ctx.outputOf(reserve).reservation), secret: input.secret }),
    compensate: (_input, _output, ctx) => undo('send', ctx.reference, ctx.runKey),
  });
  const deliver = defineStep<ForwardingInput, null>('deliver', {
    run: async (input, ctx) => {
      await effect('deliver')(input, ctx.reference, ctx.runKey, ctx.outputOf(send).upstreamId);
      return null;
    },
  });
  return defineWorkflow<ForwardingInput>('test-forwarding', [reserve, send, deliver]);
}
