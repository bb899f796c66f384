// Reading a shop customer's token (`Authorization: Bearer USER_TOKEN`). Only customer tokens are
// accepted here, and they are accepted nowhere else (their JWT audience differs from the API's).
import type { FastifyRequest } from 'fastify';
import type { Souk } from '../../app.js';
import { loadLiveCustomer, type Customer } from '../../core/customers/index.js';
import { Unauthorized } from '../../core/errors.js';

const LOG_IN = 'Log in (POST /api/auth/login) and send Authorization: Bearer USER_TOKEN.';

/**
 * The customer behind the request's token, or null when none was sent. A token that was sent
 * must be valid, whether the route needs one or not.
 */
export async function optionalCustomer(souk: Souk, request: FastifyRequest): Promise<Customer | null> {
  const header = request.headers.authorization?.trim();
  if (!header) return null;
  const token = header.replace(/^bearer\s+/i, '');
  if (!/^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/.test(token) || token.length > 4096) {
    throw new Unauthorized(`The Authorization header holds no customer token. ${LOG_IN}`);
  }
  return loadLiveCustomer(souk.db, await souk.tokens.verifyCustomer(token));
}

/** The customer behind the request's token; 401 without one. */
export async function requiredCustomer(souk: Souk, request: FastifyRequest): Promise<Customer> {
  const customer = await optionalCustomer(souk, request);
  if (!customer) throw new Unauthorized(`This needs a customer token. ${LOG_IN}`);
  return customer;
}
