// Accounts, their logins and API keys, tokens, and request signing.
export { ACCOUNT_KINDS, createAccount, getAccount, listAccounts, updateAccount, type AccountKind, type NewAccount } from './accounts.js';
export { createUser, checkLogin, listLogins, updateLogin, type LoginSummary, type UserLogin } from './users.js';
export {
  authenticateApiKey,
  createApiKey,
  isKeyOfClosedAccount,
  listApiKeys,
  apiKeyIdOf,
  looksLikeApiKey,
  revokeApiKey,
  touchApiKey,
  webhookSigningSecret,
  type ApiKeySummary,
  type CreatedApiKey,
  type KeyCredentials,
} from './api-keys.js';
export { TokenService, type IssuedCustomerToken, type IssuedTokens, type TokenSubject } from './tokens.js';
export { issueTokensFor, tokenLoginOf, type TokenCredentials, type TokenLogin } from './token-grants.js';
export { issueTokens, principalForAccessToken, pruneTokenFamilies, refreshTokens, type TokenDeps } from './token-families.js';
export {
  guardSignedRequest,
  signBody,
  signRequestV2,
  verifyRequestSignature,
  type ReplayGuard,
  type RequestReference,
  type SignedRequest,
  type VerifiedSignature,
} from './signatures.js';
export { DatabaseReplayGuard, RedisReplayGuard } from './replay-guards.js';
export { API_KEYS_TOPIC, liveKeysOf } from './live-keys.js';
export { DEFAULT_KEY_SCOPES, SCOPES, actorOf, hasScope, isScope, type Principal, type Scope } from './principal.js';
export { buyerTermsOf, pgBuyersAsPriced, pgBuyersNow, sqliteBuyersNow, type AccountRiskTerms, type BuyerTerms } from './buyers-now.js';
export { ADMIN_ROLES, isAdminRole, roleAllows, type AdminAction, type AdminRole } from './roles.js';
export { consoleSessionOf, csrfTokenOf, endConsoleSession, isCsrfTokenOf, openConsoleSession, pruneConsoleSessions, type ConsoleSession, type ConsoleUser } from './console-sessions.js';
