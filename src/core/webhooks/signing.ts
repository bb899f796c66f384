// Webhook secrets and signatures. A secret is `whsec_` + base64 of 24 random bytes (Standard
// Webhooks); the signing key is those bytes. Each delivery carries both schemes, keyed alike:
// Standard Webhooks (`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per
// valid secret while a rotation overlaps) and seed 000's `X-Signature` (hex HMAC-SHA256 of the body;
// for an order placed on /v1, keyed with the partner's request signing secret instead).
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

/** The HMAC key a secret stands for: the base64-decoded part after `whsec_`. */
export function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'x-signature': string;
  'x-timestamp': string;
}

/**
 * The signature headers for one attempt. `secrets` are the valid ones, newest first; the seed 000
 * signature uses the newest only (it has no room for two), or, for an order placed on /v1,
 * `partnerSecret`: the partner's request signing secret, used as seed 000 uses it (its UTF-8 bytes).
 */
export function signDelivery(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string, partnerSecret?: string): SignedHeaders {
  const signed = `${messageId}.${timestampSeconds}.${body}`;
  const signatures = secrets.map((s) => `v1,${createHmac('sha256', signingKey(s)).update(signed).digest('base64')}`);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
    'x-signature': createHmac('sha256', partnerSecret ?? signingKey(secrets[0]!)).update(body).digest('hex'),
    'x-timestamp': String(timestampSeconds),
  };
}
