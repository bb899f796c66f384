// The trade-in verifiers say only what they can: manual always leaves the decision to a person;
// upstream uses a provider's verdicts only when the provider judges every code, and otherwise
// (no checker, a product it does not handle, a failure, a partial answer) leaves it to a person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tradeInVerifier, type CodeChecker } from '../../src/core/trade-ins/index.js';

const request = { productCode: 'GIFT-10', codes: ['A-1', 'A-2', 'A-3'] };
const checker = (check: CodeChecker['check'], handles = true): CodeChecker => ({ handles: () => handles, check });

test('manual verification always waits for the owner', async () => {
  assert.equal((await tradeInVerifier('manual').verify(request)).kind, 'person');
});

test('upstream verification with no provider that can check codes waits for the owner instead of guessing', async () => {
  assert.equal((await tradeInVerifier('upstream').verify(request)).kind, 'person');
  assert.equal((await tradeInVerifier('upstream', checker(async () => [], false)).verify(request)).kind, 'person');
});

test("upstream verification carries a provider's verdicts out only when it judged every code", async () => {
  const verdicts = request.codes.map((code) => ({ code, accepted: code !== 'A-2', ...(code === 'A-2' ? { reason: 'already redeemed' } : {}) }));
  assert.deepEqual(await tradeInVerifier('upstream', checker(async () => verdicts)).verify(request), { kind: 'verdicts', verdicts });
  const partial = await tradeInVerifier('upstream', checker(async () => verdicts.slice(0, 2))).verify(request);
  assert.equal(partial.kind, 'person');
  const failing = await tradeInVerifier('upstream', checker(async () => Promise.reject(new Error('provider down')))).verify(request);
  assert.equal(failing.kind, 'person');
});

test('an unknown verifier name is refused, naming the choices', () => {
  assert.throws(() => tradeInVerifier('oracle'), /manual or upstream/);
});
