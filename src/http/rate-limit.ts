// Spending a request from a rate-limit budget, the one way every route and plugin does it: consume,
// describe the budget in the answer's headers, refuse with 429 when it is spent.
import type { FastifyReply } from 'fastify';
import { RateLimited } from '../core/errors.js';
import type { Bucket, RateDecision, RateLimits } from '../platform/rate-limits.js';

/** The headers that describe a budget: its policy and what is left of it (IETF draft-ietf-httpapi-ratelimit-headers), and Retry-After once spent. */
export function setRateHeaders(reply: FastifyReply, decision: RateDecision): void {
  reply.header('RateLimit-Policy', `"${decision.bucket}";q=${decision.limit};w=${decision.windowSeconds}`);
  reply.header('RateLimit', `"${decision.bucket}";r=${decision.remaining};t=${decision.resetSeconds}`);
  if (!decision.allowed) reply.header('Retry-After', String(decision.resetSeconds));
}

export interface RateSpend {
  bucket: Bucket;
  id: string;
  /** Requests allowed per window. */
  limit: number;
  /** 60 unless given. */
  windowSeconds?: number;
  /**
   * `refused`: the headers are set only when this budget refuses. For a guard beside the route's
   * own limit (logins), whose headers describe every answer this guard lets through.
   */
  headers?: 'always' | 'refused';
}

/** Spends one request of `id` in `bucket`; throws RateLimited (429, its headers set) when the budget is spent. */
export async function spendRateLimit(limits: RateLimits, reply: FastifyReply, spend: RateSpend): Promise<void> {
  const decision = await limits.consume(spend.bucket, spend.id, spend.limit, spend.windowSeconds);
  if (spend.headers !== 'refused' || !decision.allowed) setRateHeaders(reply, decision);
  if (!decision.allowed) throw new RateLimited(decision.resetSeconds);
}
