// The signatures of a delivery, checked against docs/webhooks.md's worked example, the
// standardwebhooks package, and openssl's arithmetic (the X-Signature value below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { DEFAULT_RETRY_SCHEDULE, generateWebhookSecret, parseRetryAfter, retryDelayMs, signDelivery, signingKey } from '../../src/core/webhooks/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'evt_01JDQ8ZK3N6V4Y0W2X9T5R7B1C';
const BODY = '{"id":"evt_01JDQ8ZK3N6V4Y0W2X9T5R7B1C","type":"order.fulfilled","timestamp":"2025-11-30T00:00:00Z","data":{"order":{"order_id":"01JDQ8ZK3MB1WQX8Y7V6T5S4R3","status":"fulfilled"}}}';

test('the worked example of docs/webhooks.md: both signatures, keyed with the bytes after whsec_', () => {
  assert.equal(signingKey(SECRET).toString('hex'), '31f290f6bf06298aab4f08d43c3f082cf648a362da2da4b0');
  const headers = signDelivery([SECRET], ID, 1764460800, BODY);
  assert.equal(headers['webhook-signature'], 'v1,wsaMb+nxNw345qGoGnYvkGxepeijjhSibBKr92g4PLU=');
  assert.equal(headers['x-signature'], '9461c00b32c9e1f2fb873398b111e1aa3455f84cb62a1e91e9a44ed563952edb');
  assert.equal(headers['x-timestamp'], '1764460800');
  assert.equal(headers['webhook-id'], ID);
});

test("docs/webhooks.md's partner example: an order placed on /v1 has X-Signature keyed with the partner's signing secret, webhook-signature unchanged", () => {
  const partnerBody = '{"id":"evt_01JDQ8ZK3N6V4Y0W2X9T5R7B1C","type":"order.fulfilled","timestamp":"2025-11-30T00:00:00Z","data":{"order":{"order_id":"01JDQ8ZK3MB1WQX8Y7V6T5S4R3","partner_order_id":"WS-983442","status":"fulfilled"}}}';
  const headers = signDelivery([SECRET], ID, 1764460800, partnerBody, 'ss_4fG7kQ2mZp9XwR1tYv6BnC3hJd8LsE0a');
  assert.equal(headers['x-signature'], '0598ccdf18691aa53f94fee1966be3f643e891ed1e7c2847844df8e85420acff');
  const { 'x-signature': _keyedWithWhsec, ...standard } = signDelivery([SECRET], ID, 1764460800, partnerBody);
  const { 'x-signature': _keyedWithPartner, ...same } = headers;
  assert.deepEqual(same, standard, 'the Standard Webhooks headers stay keyed with the endpoint or callback secret');
});

test('during a rotation both secrets sign, and a receiver holding either one verifies', () => {
  const old = generateWebhookSecret();
  const fresh = generateWebhookSecret();
  assert.match(fresh, /^whsec_[A-Za-z0-9+/]{32}$/);
  const now = Math.floor(Date.now() / 1000);
  const headers = signDelivery([fresh, old], ID, now, BODY);
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  for (const secret of [fresh, old]) assert.deepEqual(new Webhook(secret).verify(BODY, headers), JSON.parse(BODY));
  assert.throws(() => new Webhook(generateWebhookSecret()).verify(BODY, headers));
});

test('the retry schedule spans about 72 hours with jitter, and Retry-After is believed', () => {
  const total = DEFAULT_RETRY_SCHEDULE.reduce((a, b) => a + b, 0) / 3600;
  assert.ok(total > 70 && total < 74, `${total} h`);
  assert.equal(retryDelayMs([5, 300], 1, undefined, () => 0), 4000);
  assert.equal(retryDelayMs([5, 300], 1, undefined, () => 1), 6000);
  assert.equal(retryDelayMs([5, 300], 2, 3600, () => 0.5), 3_600_000);
  assert.equal(retryDelayMs([5, 300], 3), undefined, 'dead after the last delay');
  assert.equal(parseRetryAfter('120'), 120);
  const now = Date.parse('2025-11-30T00:00:00Z');
  assert.equal(parseRetryAfter('Sun, 30 Nov 2025 00:01:00 GMT', now), 60);
  assert.equal(parseRetryAfter('soon'), undefined);
});
