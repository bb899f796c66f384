// Small pieces every route schema repeats.
import { Type, type TSchema } from '@sinclair/typebox';
import { WIRE_TIME_PATTERN } from '../core/clock.js';
import { PRODUCT_CODE_PATTERN, SLUG_PATTERN, SLUG_RULE } from '../core/catalog/index.js';

type Security = Array<Record<string, string[]>>;

/** Error responses for the given statuses, all the shared envelope. */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'Error#' }]));
}

/** Error responses of the canonical API at /api/v1: the envelope with seed 003's codes (`validation`). */
export function apiErrorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'ApiError#' }]));
}

/**
 * Options for an object that needs one of several sets of fields (`product` or `item_id`): JSON
 * Schema's anyOf, so generated clients know the rule; with `only`, a oneOf whose every branch also
 * refuses the other sets' fields, so a mix (a password beside a key_id) is refused by the schema
 * too. A refusal names the sets in one problem (plugins/errors.ts).
 */
export function oneOfFields(sets: string[][], options: { only?: boolean } = {}) {
  if (!options.only) return { anyOf: sets.map((required) => ({ required })) };
  return {
    oneOf: sets.map((required) => {
      const others = [...new Set(sets.flat())].filter((field) => !required.includes(field));
      return { required, not: { anyOf: others.map((field) => ({ required: [field] })) } };
    }),
  };
}

/** `{ ok: true, …fields }` */
export function okObject(fields: Record<string, TSchema>) {
  return Type.Object({ ok: Type.Literal(true), ...fields });
}

export const CALLER_SECURITY: Security = [{ apiKey: [] }, { apiKeyHeader: [] }, { token: [] }];
/** Public routes: anonymous, or with credentials (then limited per key instead of per IP). */
export const PUBLIC_SECURITY: Security = [{}, ...CALLER_SECURITY];
export const ADMIN_SECURITY: Security = [{ apiKey: [] }, { token: [] }, { consoleSession: [] }];
export const NO_SECURITY: Security = [];

/** A time as every answer and webhook sends it: UTC to the second (`yyyy-MM-ddTHH:mm:ssZ`). */
export function WireTime(options: { description?: string } = {}) {
  return Type.String({ format: 'date-time', pattern: WIRE_TIME_PATTERN, examples: ['2025-01-31T12:00:00Z'], ...options });
}

/** A secret shown once: a repeat of the request with its Idempotency-Key answers `null` in its place. */
export function ShownOnce(description: string) {
  return Type.Union([Type.String(), Type.Null()], { description: `${description} Shown once: \`null\` in the answer replayed for a repeated Idempotency-Key.` });
}

/** A three-letter ISO 4217 code; the core upper-cases it, so `usd` is USD. */
export function CurrencyCode(description = 'ISO 4217 code, such as USD (any case).') {
  return Type.String({ pattern: '^[A-Za-z]{3}$', description });
}

/** A decimal amount as text, `5`, `5.5` or `-5.50` with `signed` (spaces around it are dropped), as core/money parses it. */
export function DecimalString(description: string, options: { signed?: boolean } = {}) {
  return Type.String({ maxLength: 40, pattern: `^\\s*${options.signed ? '-?' : ''}[0-9]+(\\.[0-9]+)?\\s*$`, description: `${description} A decimal: digits, optionally a point and more digits.` });
}

/** A decimal amount as text or as a JSON number (text first, so it is never rounded through a float). */
export function DecimalAmount(description: string, options: { signed?: boolean } = {}) {
  return Type.Union([DecimalString(description, options), options.signed ? Type.Number() : Type.Number({ minimum: 0 })], { description });
}

/** A slug: the rule core/catalog enforces, in the schema and in words. */
export function Slug(maxLength: number) {
  return Type.String({ maxLength, pattern: SLUG_PATTERN, description: `A slug: ${SLUG_RULE(maxLength).replace(/^must be /, '')}.` });
}

/** A product code: the rule core/catalog enforces. */
export const ProductCode = () => Type.String({ maxLength: 120, pattern: PRODUCT_CODE_PATTERN, description: 'A product code: letters, digits, . _ and -, starting with a letter or digit; at most 120 characters.' });
