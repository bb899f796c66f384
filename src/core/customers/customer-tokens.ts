// A shop customer's token (seed 004's USER_TOKEN): issued on registration and on a right e-mail and
// password, for the shop's configured lifetime; good only on the shop's API.
import type { Db } from '../../db/index.js';
import type { IssuedCustomerToken, TokenService } from '../accounts/index.js';
import { Unauthorized } from '../errors.js';
import { checkCustomerLogin, registerCustomer } from './customers.js';

export interface CustomerTokenDeps {
  db: Db;
  tokens: TokenService;
  /** How long a customer token lasts (SOUK_CUSTOMER_TOKEN_TTL). */
  ttlSeconds: number;
}

/** Registers a customer (both wallets, the login) and logs them in: the new login's token. */
export async function registerAndLogIn(deps: CustomerTokenDeps, credentials: { email: string; password: string }, shopCurrency: string): Promise<IssuedCustomerToken> {
  const customer = await registerCustomer(deps.db, credentials, shopCurrency);
  return deps.tokens.issueCustomer(customer.customerId, deps.ttlSeconds);
}

/** A token for a right e-mail and password of a live customer; 401 for anything else, in the same time. */
export async function logInCustomer(deps: CustomerTokenDeps, credentials: { email: string; password: string }): Promise<IssuedCustomerToken> {
  const customer = await checkCustomerLogin(deps.db, credentials.email, credentials.password);
  if (!customer) throw new Unauthorized('The e-mail or password is wrong.');
  return deps.tokens.issueCustomer(customer.customerId, deps.ttlSeconds);
}
