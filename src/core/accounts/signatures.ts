// Request signing. Two schemes share the X-Signature and X-Timestamp headers:
//   seed 000:  X-Signature: hex(HMAC-SHA256(secret, raw body))
//   v2:        X-Signature: v2=hex(HMAC-SHA256(secret, `${timestamp}.${METHOD}.${path}.${raw body}`))
// Seed 000's scheme signs neither the time nor the path, so a captured request could be replayed
// within the window; every accepted (key, signature, timestamp) of a state-changing request is
// remembered and a repeat refused. Reads are exempt: an unchanged GET signs the same empty body, so
// a client polling twice in one second would otherwise be refused, and replaying a read changes nothing.
import { constantTimeEqual, hmacSha256Hex } from '../crypto.js';
import { Unauthorized } from '../errors.js';

export interface SignedRequest {
  method: string;
  /** Path with query string, exactly as sent. */
  path: string;
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

export interface ReplayGuard {
  /** Records the triple; false when it was seen before inside the window. */
  remember(keyId: string, signature: string, timestamp: number): Promise<boolean>;
}

export function signBody(secret: string, rawBody: string): string {
  return hmacSha256Hex(secret, rawBody);
}

export function signRequestV2(secret: string, timestamp: number | string, method: string, path: string, rawBody: string): string {
  return 'v2=' + hmacSha256Hex(secret, `${timestamp}.${method.toUpperCase()}.${path}.${rawBody}`);
}

/**
 * Checks a request's signature for a key. Returns quietly when the request is unsigned and the
 * key does not require signing; otherwise throws Unauthorized saying exactly what is wrong.
 */
export async function verifyRequestSignature(
  request: SignedRequest,
  key: { keyId: string; signingSecret: string | null; requireSignature: boolean },
  guard: ReplayGuard,
  windowSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<void> {
  const { signature, timestamp } = request;
  if (signature === undefined && timestamp === undefined) {
    if (key.requireSignature) throw new Unauthorized('This key requires signed requests: send X-Signature and X-Timestamp.');
    return;
  }
  if (!key.signingSecret) {
    throw new Unauthorized('This key has no signing secret; create a signed key or send the request unsigned.');
  }
  if (signature === undefined) throw new Unauthorized('Missing X-Signature header (X-Timestamp was sent).');
  if (timestamp === undefined) throw new Unauthorized('Missing X-Timestamp header (X-Signature was sent).');
  if (!/^\d{1,12}$/.test(timestamp)) throw new Unauthorized('X-Timestamp must be UNIX time in seconds.');
  const drift = nowSeconds - Number(timestamp);
  if (drift > windowSeconds) throw new Unauthorized(`X-Timestamp is ${drift} s old; the allowed drift is ${windowSeconds} s.`);
  if (drift < -windowSeconds) throw new Unauthorized(`X-Timestamp is ${-drift} s in the future; the allowed drift is ${windowSeconds} s.`);

  const expected = signature.startsWith('v2=')
    ? signRequestV2(key.signingSecret, timestamp, request.method, request.path, request.rawBody)
    : signBody(key.signingSecret, request.rawBody);
  if (!constantTimeEqual(signature.toLowerCase(), expected)) {
    throw new Unauthorized('X-Signature does not match the request; sign the exact raw body bytes with the key\'s signing secret.');
  }
  const changesState = !['GET', 'HEAD', 'OPTIONS'].includes(request.method.toUpperCase());
  if (changesState && !(await guard.remember(key.keyId, signature.toLowerCase(), Number(timestamp)))) {
    throw new Unauthorized('This signed request was already used (replay); sign each request with a fresh X-Timestamp.');
  }
}
