// Request signing. Two schemes share the X-Signature and X-Timestamp headers:
//   seed 000:  X-Signature: hex(HMAC-SHA256(secret, raw body))
//   v2:        X-Signature: v2=hex(HMAC-SHA256(secret, `${timestamp}.${METHOD}.${path}.${raw body}`))
// Seed 000's scheme signs neither the time nor the path nor any header: whoever captures one request
// can send its body again, with any X-Timestamp, to any path, for ever. So with that scheme a
// state-changing request is accepted only where repeating the body can only repeat the answer: the
// body names the request's own reference (client_order_id, partner_order_id: unique for ever, a
// repeat gets the first order) or the request is idempotent by nature (an ack). Anything else must
// be signed with v2, which covers the time, method and path.
// A v2 request is remembered for the window with what makes it idempotent: a byte-identical retry
// (same signature, same reference) goes through and gets the first answer; the same signature
// with another Idempotency-Key (a header no scheme signs), or with none, is a replay and refused.
// Reads are exempt: an unchanged GET signs the same empty body, so a client polling twice in one
// second would otherwise be refused, and replaying a read changes nothing.
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

/** A request whose signature was checked: what it was signed with, for the replay check. */
export interface VerifiedSignature {
  keyId: string;
  method: string;
  /** Lower case, as remembered. */
  signature: string;
  timestamp: number;
}

/**
 * What makes a request idempotent: a field of its signed body or its nature (`signed`), an
 * Idempotency-Key header (`header`), or nothing (`none`).
 */
export type RequestReference = { kind: 'signed' } | { kind: 'header'; key: string } | { kind: 'none' };

export interface ReplayGuard {
  /**
   * Records the triple with what binds it; true when it is new, or was seen with the same
   * non-null binding (a retry), false when it is a replay inside the window.
   */
  remember(keyId: string, signature: string, timestamp: number, binding: string | null): Promise<boolean>;
}

export function signBody(secret: string, rawBody: string): string {
  return hmacSha256Hex(secret, rawBody);
}

export function signRequestV2(secret: string, timestamp: number | string, method: string, path: string, rawBody: string): string {
  return 'v2=' + hmacSha256Hex(secret, `${timestamp}.${method.toUpperCase()}.${path}.${rawBody}`);
}

/**
 * Checks a request's signature for a key. Returns null when the request is unsigned and the key
 * does not require signing, the verified signature when it is right; otherwise throws
 * Unauthorized saying exactly what is wrong. Whether it may change state is guardSignedRequest's.
 */
export function verifyRequestSignature(
  request: SignedRequest,
  key: { keyId: string; signingSecret: string | null; requireSignature: boolean },
  windowSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): VerifiedSignature | null {
  const { signature, timestamp } = request;
  if (signature === undefined && timestamp === undefined) {
    if (key.requireSignature) throw new Unauthorized('This key requires signed requests: send X-Signature and X-Timestamp.');
    return null;
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
  return { keyId: key.keyId, method: request.method, signature: signature.toLowerCase(), timestamp: Number(timestamp) };
}

/**
 * Lets a signed state-changing request through only if repeating it can repeat nothing but its
 * answer (see the file comment); throws Unauthorized for a seed 000 signature without a reference
 * in the body and for a replay of a v2 one.
 */
export async function guardSignedRequest(signed: VerifiedSignature, reference: RequestReference, guard: ReplayGuard): Promise<void> {
  if (['GET', 'HEAD', 'OPTIONS'].includes(signed.method.toUpperCase())) return;
  // A body with its own reference repeats only its first answer, whoever sends it again.
  if (reference.kind === 'signed') return;
  if (!signed.signature.startsWith('v2=')) {
    throw new Unauthorized(
      'Seed 000 signatures cover the body only, so this request could be replayed: name it in the body (client_order_id on orders) ' +
        'or sign it with the v2 scheme: X-Signature: v2=hex(HMAC-SHA256(secret, "<X-Timestamp>.<METHOD>.<path>.<body>")).',
    );
  }
  const binding = reference.kind === 'header' ? `idempotency-key:${reference.key}` : null;
  if (!(await guard.remember(signed.keyId, signed.signature, signed.timestamp, binding))) {
    throw new Unauthorized('This signed request was already used (replay); sign each request with a fresh X-Timestamp, or send a retry with its first Idempotency-Key.');
  }
}
