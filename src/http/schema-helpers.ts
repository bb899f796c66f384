// Small pieces every route schema repeats.
import { Type, type TSchema } from '@sinclair/typebox';
import { WIRE_TIME_PATTERN } from '../core/clock.js';

type Security = Array<Record<string, string[]>>;

/** Error responses for the given statuses, all the shared envelope. */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'Error#' }]));
}

/** Error responses of the canonical API at /api/v1: the envelope with seed 003's codes (`validation`). */
export function apiErrorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'ApiError#' }]));
}

/** `{ ok: true, …fields }` */
export function okObject(fields: Record<string, TSchema>) {
  return Type.Object({ ok: Type.Literal(true), ...fields });
}

export const CALLER_SECURITY: Security = [{ apiKey: [] }, { apiKeyHeader: [] }, { token: [] }];
/** Public routes: anonymous, or with credentials (then limited per key instead of per IP). */
export const PUBLIC_SECURITY: Security = [{}, ...CALLER_SECURITY];
export const ADMIN_SECURITY: Security = [{ apiKey: [] }, { token: [] }];
export const NO_SECURITY: Security = [];

/** A time as every answer and webhook sends it: UTC to the second (`yyyy-MM-ddTHH:mm:ssZ`). */
export function WireTime(options: { description?: string } = {}) {
  return Type.String({ format: 'date-time', pattern: WIRE_TIME_PATTERN, examples: ['2025-01-31T12:00:00Z'], ...options });
}

/** A secret shown once: a repeat of the request with its Idempotency-Key answers `null` in its place. */
export function ShownOnce(description: string) {
  return Type.Union([Type.String(), Type.Null()], { description: `${description} Shown once: \`null\` in the answer replayed for a repeated Idempotency-Key.` });
}
