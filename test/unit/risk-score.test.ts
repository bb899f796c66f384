// The risk score is pure and explainable: the same input gives the same score, more velocity or a
// larger amount never lowers it, and every point comes with a reason in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideRisk, isDisposableEmail, MAX_SCORE, scoreOrder, type RiskInput, type RiskTerms } from '../../src/core/risk/index.js';
import { MAX_MINOR } from '../../src/core/money.js';

const count = fc.integer({ min: 0, max: 1000 });
const input: fc.Arbitrary<RiskInput> = fc.record({
  amountMinor: fc.integer({ min: 0, max: MAX_MINOR }),
  currency: fc.constantFrom('USD', 'EUR', 'JPY', 'KWD'),
  accountVelocity: count,
  emailVelocity: fc.option(count, { nil: null }),
  ipVelocity: fc.option(count, { nil: null }),
  accountOrders: fc.integer({ min: 0, max: 1 }),
  history: fc.record({ orders: fc.integer({ min: 0, max: 100 }), averageMinor: fc.integer({ min: 0, max: 10_000_000 }) }),
  disposableEmail: fc.boolean(),
  emailOtherAccounts: fc.integer({ min: 0, max: 50 }),
  highRiskProduct: fc.boolean(),
});

test('the same input gives the same score and the same reasons', () => {
  fc.assert(fc.property(input, (i) => assert.deepEqual(scoreOrder(structuredClone(i)), scoreOrder(i))));
});

test('the score is 0 to 100 and, below the cap, the sum of the reasons; every reason is in words', () => {
  fc.assert(
    fc.property(input, (i) => {
      const { score, reasons } = scoreOrder(i);
      const sum = reasons.reduce((s, r) => s + r.points, 0);
      assert.ok(score >= 0 && score <= MAX_SCORE);
      assert.equal(score, Math.min(MAX_SCORE, sum));
      for (const r of reasons) {
        assert.ok(r.points > 0);
        assert.match(r.reason, /^[\w'].{10,}/);
      }
    }),
  );
});

test('more velocity (per account, e-mail or IP) never lowers the score', () => {
  fc.assert(
    fc.property(input, fc.constantFrom('accountVelocity', 'emailVelocity', 'ipVelocity'), fc.integer({ min: 1, max: 500 }), (i, field, more) => {
      const before = scoreOrder(i).score;
      const after = scoreOrder({ ...i, [field]: (i[field] ?? 0) + more }).score;
      assert.ok(after >= before, `${field} +${more}: ${before} → ${after}`);
    }),
  );
});

test('a larger amount never lowers the score', () => {
  fc.assert(
    fc.property(input, fc.integer({ min: 1, max: MAX_MINOR }), (i, more) => {
      const larger = Math.min(MAX_MINOR, i.amountMinor + more);
      assert.ok(scoreOrder({ ...i, amountMinor: larger }).score >= scoreOrder(i).score);
    }),
  );
});

test('each rule fires with its reason', () => {
  const quiet: RiskInput = {
    amountMinor: 1000,
    currency: 'USD',
    accountVelocity: 1,
    emailVelocity: 0,
    ipVelocity: 0,
    accountOrders: 1,
    history: { orders: 10, averageMinor: 1000 },
    disposableEmail: false,
    emailOtherAccounts: 0,
    highRiskProduct: false,
  };
  assert.deepEqual(scoreOrder(quiet), { score: 0, reasons: [] });
  const rules = (i: Partial<RiskInput>) => scoreOrder({ ...quiet, ...i }).reasons.map((r) => r.rule);
  assert.deepEqual(rules({ accountOrders: 0 }), ['first_order']);
  assert.deepEqual(rules({ disposableEmail: true }), ['disposable_email']);
  assert.deepEqual(rules({ highRiskProduct: true }), ['high_risk_product']);
  assert.deepEqual(rules({ emailOtherAccounts: 2 }), ['email_on_many_accounts']);
  assert.deepEqual(rules({ accountVelocity: 31 }), ['account_velocity']);
  assert.deepEqual(rules({ emailVelocity: 4 }), ['email_velocity']);
  assert.deepEqual(rules({ ipVelocity: 11 }), ['ip_velocity']);
  assert.deepEqual(rules({ amountMinor: 3000 }), ['amount_above_history']);
  assert.deepEqual(rules({ amountMinor: 2999 }), []);
  // Too little history to compare with: the amount alone says nothing.
  assert.deepEqual(rules({ amountMinor: 1_000_000, history: { orders: 2, averageMinor: 1000 } }), []);
  const { reasons } = scoreOrder({ ...quiet, amountMinor: 10_000, accountVelocity: 40 });
  assert.deepEqual(
    reasons.map((r) => r.reason),
    ['40 orders from this account in the last 10 minutes (more than 30)', "100.00 USD is well above this account's average of 10.00 USD over 10 delivered orders"],
  );
});

test('the verdict: reject at the reject score, review at the review score or above the review amount, 0 turns a threshold off', () => {
  const scored = { score: 50, reasons: [{ rule: 'first_order' as const, points: 50, reason: "the account's first order" }] };
  const terms = (t: Partial<RiskTerms>): RiskTerms => ({ reviewScore: 0, rejectScore: 0, reviewAboveMinor: null, currency: 'USD', ...t });
  assert.equal(decideRisk(scored, terms({}), 1000).verdict, 'allow');
  assert.equal(decideRisk(scored, terms({ reviewScore: 50 }), 1000).verdict, 'review');
  assert.equal(decideRisk(scored, terms({ reviewScore: 51 }), 1000).verdict, 'allow');
  assert.equal(decideRisk(scored, terms({ reviewScore: 30, rejectScore: 50 }), 1000).verdict, 'reject');
  const above = decideRisk({ score: 0, reasons: [] }, terms({ reviewAboveMinor: 5000 }), 5001);
  assert.equal(above.verdict, 'review');
  assert.deepEqual(above.reasons.map((r) => r.reason), ["50.01 USD is above this account's review limit of 50.00 USD"]);
  assert.equal(decideRisk({ score: 0, reasons: [] }, terms({ reviewAboveMinor: 5000 }), 5000).verdict, 'allow');
  // An amount that cannot be converted to compare is reviewed, saying so.
  assert.equal(decideRisk({ score: 0, reasons: [] }, terms({ reviewAboveMinor: 5000 }), null).verdict, 'review');
});

test('disposable e-mail domains come from the maintained list, subdomains included', () => {
  assert.equal(isDisposableEmail('someone@mailinator.com'), true);
  assert.equal(isDisposableEmail('someone@Mail.MAILINATOR.com'), true);
  assert.equal(isDisposableEmail('someone@example.com'), false);
  assert.equal(isDisposableEmail('no-at-sign'), false);
});
