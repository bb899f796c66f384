// A notification from a gateway: its signature checked by the gateway (nothing is believed before
// that), then what it says applied once (credit.ts). A refused notification credits nothing and is
// answered as the gateway expects a failure (it will send again, or give up); it is recorded for
// the admin without its body, which may carry the buyer's details.
import { NotFound } from '../../errors.js';
import { gatewayNamed, type GatewayContext } from './context.js';
import { applyChargeState, type CreditOutcome } from './credit.js';
import { NotificationRefused } from './errors.js';
import type { GatewayNotice, NoticeAnswer } from './gateway.js';

export interface NoticeReceived {
  answer: NoticeAnswer;
  outcome: CreditOutcome | 'ignored' | 'refused';
}

/** Checks and applies one notification for gateway `name`; NotFound when this Souk has no such gateway. */
export async function receiveNotice(ctx: GatewayContext, name: string, notice: GatewayNotice): Promise<NoticeReceived> {
  const gateway = gatewayNamed(ctx, name);
  if (!gateway) throw new NotFound(`No payment gateway ${name.slice(0, 40)} is configured here.`);
  let state;
  try {
    state = await gateway.verify(notice);
  } catch (error) {
    if (!(error instanceof NotificationRefused)) throw error;
    ctx.log?.('payment notification refused', { gateway: gateway.name, problem: error.message });
    return { answer: gateway.answer(false), outcome: 'refused' };
  }
  if (!state) return { answer: gateway.answer(true), outcome: 'ignored' };
  const outcome = await applyChargeState(ctx, gateway.name, state, `notice:${gateway.name}`);
  // Known or not, the gateway has been heard: answering a failure would only make it send again.
  return { answer: gateway.answer(outcome !== 'refused'), outcome };
}
