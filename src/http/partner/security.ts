// The partner profile's credentials in the OpenAPI document: all three headers on every request.
export const PARTNER_SECURITY: Array<Record<string, string[]>> = [{ partnerKey: [], partnerSignature: [], partnerTimestamp: [] }];

export const PARTNER_SECURITY_SCHEMES = {
  partnerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Seed 000: your API key (a key created with a signing secret).' },
  partnerSignature: { type: 'apiKey', in: 'header', name: 'X-Signature', description: 'Seed 000: hex HMAC-SHA256 of the raw request body (empty for GET) under the key\'s signing secret.' },
  partnerTimestamp: { type: 'apiKey', in: 'header', name: 'X-Timestamp', description: 'Seed 000: UNIX time in seconds; at most 120 s from ours.' },
} as const;
