// The error envelope every surface answers with. `error` is seed 003's field and `errorCode` seed
// 001's; they always carry the same code. The code is the same on every surface but where a
// surface's document has its own word for it (API_V1_CODES).
import { Type } from '@sinclair/typebox';

export interface ErrorEnvelope {
  ok: false;
  error: string;
  errorCode: string;
  message: string;
  request_id: string;
  [detail: string]: unknown;
}

export function errorEnvelope(code: string, message: string, requestId: string, details?: Record<string, unknown>): ErrorEnvelope {
  return { ok: false, error: code, errorCode: code, message, request_id: requestId, ...details };
}

export const ErrorSchema = Type.Object(
  {
    ok: Type.Literal(false),
    error: Type.String({ description: 'Stable error code, e.g. `validation_error` (a refused request, with `fields`), `unauthorized`, `item_not_found`.' }),
    errorCode: Type.String({ description: 'The same code as `error` (seed 001 reads this field).' }),
    message: Type.String({ description: 'For humans; do not branch on it.' }),
    request_id: Type.String({ description: 'Quote it when asking for support.' }),
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), { description: 'Each invalid field, for validation errors.' })),
    retry_after_seconds: Type.Optional(Type.Integer({ description: 'With 429: seconds to wait before retrying.' })),
  },
  { $id: 'Error', title: 'Error', additionalProperties: true },
);

/** The canonical API's words for codes that differ from the other surfaces': seed 003 calls a refused request `validation`. */
export const API_V1_CODES: Readonly<Record<string, string>> = { validation_error: 'validation' };

/** The envelope as /api/v1 answers it: the same fields, seed 003's codes. */
export const ApiErrorSchema = Type.Object(
  {
    ...ErrorSchema.properties,
    error: Type.String({
      description:
        'Stable error code: `validation` (a refused request: bad JSON, a missing, malformed or unknown field; `fields` names each), `unauthorized`, ' +
        '`forbidden`, `not_found`, `item_not_found`, `user_not_found`, `insufficient_balance`, `out_of_stock`, `rate_limited`, ….',
      examples: ['validation'],
    }),
    errorCode: Type.String({ description: 'The same code as `error` (seed 001 reads this field).', examples: ['validation'] }),
  },
  { $id: 'ApiError', title: 'ApiError', additionalProperties: true },
);
