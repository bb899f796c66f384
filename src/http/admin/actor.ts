// Who an admin act is recorded as (audit log, ledger, order timeline): the API key, or the login
// behind a token.
import type { FastifyRequest } from 'fastify';

export function adminActor(request: FastifyRequest): string {
  const principal = request.principal;
  return principal?.keyId ? `key:${principal.keyId}` : `user:${principal?.userId ?? 'unknown'}`;
}
