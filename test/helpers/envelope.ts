// The error envelope as a client reads it: status, `error` and `errorCode` agreeing, a message
// and the request id.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';

/** Asserts an error answer in Souk's envelope, and returns its body. */
export function assertError(res: LightMyRequestResponse, status: number, code: string, message?: RegExp) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json();
  assert.equal(body.ok, false);
  assert.equal(body.error, code);
  assert.equal(body.errorCode, code);
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.request_id, 'string');
  if (message) assert.match(body.message, message);
  return body;
}
