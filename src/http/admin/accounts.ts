// Account administration: accounts, their logins and API keys.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { ADMIN_SECURITY, CurrencyCode, errorResponses, okObject, ShownOnce, WireTime } from '../schema-helpers.js';
import { wireTime, withWireTimes } from '../../core/clock.js';
import { ACCOUNT_KINDS, createAccount, createApiKey, createUser, getAccount, listAccounts, listApiKeys, revokeApiKey, updateAccount, type ApiKeySummary } from '../../core/accounts/index.js';
import type { AccountRow } from '../../db/schema.js';
import { ValidationFailed } from '../../core/errors.js';
import { formatMinor, minorToDecimal, parseMinor } from '../../core/money.js';
import { needs } from '../route-policy.js';
import { MAX_ROW_ID } from '../../core/ids.js';

const ADMIN = needs('admin');

const AccountSchema = Type.Object(
  {
    id: Type.Integer(),
    kind: Type.String(),
    name: Type.String(),
    currency: Type.String(),
    status: Type.String(),
    credit_limit: Type.Number(),
    rate_limit_per_minute: Type.Union([Type.Integer(), Type.Null()]),
    tier: Type.Union([Type.String(), Type.Null()], { description: 'The price tier the account buys at; null for list prices.' }),
    risk_review_score: Type.Union([Type.Integer(), Type.Null()], { description: "Risk score (0-100) at which its orders wait for review; null: the shop's SOUK_RISK_REVIEW_SCORE; 0: off." }),
    risk_reject_score: Type.Union([Type.Integer(), Type.Null()], { description: "Risk score at which its orders are refused; null: the shop's SOUK_RISK_REJECT_SCORE; 0: off." }),
    review_above: Type.Union([Type.String(), Type.Null()], { description: 'Every order charged above this amount (decimal, in its currency) waits for review; null: no such rule.' }),
    created_at: WireTime(),
  },
  { $id: 'Account', title: 'Account' },
);
const KeySchema = Type.Object(
  {
    key_id: Type.String(),
    account_id: Type.Integer(),
    prefix: Type.String(),
    label: Type.Union([Type.String(), Type.Null()]),
    scopes: Type.Array(Type.String()),
    signed: Type.Boolean(),
    require_signature: Type.Boolean(),
    created_at: WireTime(),
    last_used_at: Type.Union([WireTime(), Type.Null()]),
    revoked_at: Type.Union([WireTime(), Type.Null()]),
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);

const AccountBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: Type.Optional(Type.Union([Type.Literal('reseller'), Type.Literal('partner'), Type.Literal('admin'), Type.Literal('customer')])),
  currency: Type.Optional(CurrencyCode()),
  credit_limit: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Number({ minimum: 0 })])),
  rate_limit_per_minute: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
});
const AccountPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  status: Type.Optional(
    Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('closed')], {
      description: 'suspended: its keys and logins are refused (401); closed: the account no longer exists for them (GET /api/v1/me answers 404 user_not_found, everything else 401). Orders and ledger are kept.',
    }),
  ),
  credit_limit: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Number({ minimum: 0 })])),
  rate_limit_per_minute: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
  tier: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()], { description: 'A price tier (PUT /price-tiers/{name}), or null for list prices.' })),
  risk_review_score: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()], { description: "Risk score at which orders wait for review; 0 turns it off; null: the shop's default." })),
  risk_reject_score: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()], { description: "Risk score at which orders are refused; 0 turns it off; null: the shop's default." })),
  review_above: Type.Optional(
    Type.Union([Type.String({ maxLength: 40 }), Type.Number({ minimum: 0 }), Type.Null()], { description: 'Review every order charged above this amount (in the account currency, e.g. "50.00"); null removes the rule.' }),
  ),
});
const KeyBody = Type.Object({
  scopes: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  label: Type.Optional(Type.String({ maxLength: 200 })),
  signed: Type.Optional(Type.Boolean({ description: 'Give the key a signing secret.' })),
  require_signature: Type.Optional(Type.Boolean({ description: 'Refuse unsigned requests made with this key.' })),
});
const UserBody = Type.Object({
  username: Type.String({ minLength: 3, maxLength: 200 }),
  password: Type.String({ minLength: 10, maxLength: 1000 }),
  role: Type.Optional(Type.Union([Type.Literal('owner'), Type.Literal('operator'), Type.Literal('viewer')], { description: "For a login of the admin account: what it may do in the admin API (default owner). Other accounts' logins ignore it." })),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
const ListQuery = Type.Object({ kind: Type.Optional(Type.Union(ACCOUNT_KINDS.map((k) => Type.Literal(k)), { description: 'Only accounts of this kind.' })) });
const KeyParams = Type.Object({ keyId: Type.String({ minLength: 1, maxLength: 60 }) });

function accountView(row: AccountRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    currency: row.currency,
    status: row.status,
    credit_limit: minorToDecimal(row.credit_limit_minor, row.currency),
    rate_limit_per_minute: row.rate_limit_per_minute,
    tier: row.tier,
    risk_review_score: row.risk_review_score,
    risk_reject_score: row.risk_reject_score,
    review_above: row.review_above_minor === null ? null : formatMinor(Number(row.review_above_minor), row.currency),
    created_at: wireTime(row.created_at),
  };
}

function keyView(key: ApiKeySummary) {
  return withWireTimes(key, 'created_at', 'last_used_at', 'revoked_at');
}

function creditMinor(value: number | string | undefined, currency: string): number | undefined {
  if (value === undefined) return undefined;
  const minor = parseMinor(value, currency);
  if (minor === undefined || minor < 0) throw new ValidationFailed('The credit limit is not valid.', [{ field: 'credit_limit', message: `a decimal amount in ${currency}, e.g. ${formatMinor(5000, currency)}` }]);
  return minor;
}

function reviewAboveMinor(value: number | string | null | undefined, currency: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const minor = parseMinor(value, currency);
  if (minor === undefined || minor < 0) throw new ValidationFailed('review_above is not valid.', [{ field: 'review_above', message: `a decimal amount in ${currency}, e.g. ${formatMinor(5000, currency)}, or null` }]);
  return minor;
}

export async function adminAccountRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(AccountSchema);
  app.addSchema(KeySchema);

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/accounts',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminListAccounts', summary: 'All accounts, or those of one kind', security: ADMIN_SECURITY, querystring: ListQuery, response: { 200: okObject({ accounts: Type.Array(Type.Ref('Account')) }), ...errorResponses(400, 401, 403) } } },
    async (request) => ({ ok: true, accounts: (await listAccounts(souk.db, { kind: request.query.kind })).map(accountView) }),
  );
  app.post<{ Body: Static<typeof AccountBody> }>(
    '/accounts',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminCreateAccount', summary: 'Create an account', security: ADMIN_SECURITY, body: AccountBody, response: { 201: okObject({ account: Type.Ref('Account') }), ...errorResponses(400, 401, 403) } } },
    async (request, reply) => {
      const currency = (request.body.currency ?? 'USD').toUpperCase();
      const account = await createAccount(souk.db, {
        name: request.body.name,
        kind: request.body.kind,
        currency,
        creditLimitMinor: creditMinor(request.body.credit_limit, currency),
        rateLimitPerMinute: request.body.rate_limit_per_minute,
      });
      return reply.code(201).send({ ok: true, account: accountView(account) });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/accounts/:id',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminGetAccount', summary: 'One account', security: ADMIN_SECURITY, params: IdParams, response: { 200: okObject({ account: Type.Ref('Account') }), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => ({ ok: true, account: accountView(await getAccount(souk.db, request.params.id)) }),
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof AccountPatch> }>(
    '/accounts/:id',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminUpdateAccount', summary: 'Change an account (name, status, limits, price tier, risk thresholds and review amount)', security: ADMIN_SECURITY, params: IdParams, body: AccountPatch, response: { 200: okObject({ account: Type.Ref('Account') }), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const current = await getAccount(souk.db, request.params.id);
      const account = await updateAccount(souk, current.id, {
        name: request.body.name,
        status: request.body.status,
        rateLimitPerMinute: request.body.rate_limit_per_minute,
        creditLimitMinor: creditMinor(request.body.credit_limit, current.currency),
        tier: request.body.tier,
        riskReviewScore: request.body.risk_review_score,
        riskRejectScore: request.body.risk_reject_score,
        reviewAboveMinor: reviewAboveMinor(request.body.review_above, current.currency),
      });
      return { ok: true, account: accountView(account) };
    },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof UserBody> }>(
    '/accounts/:id/users',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminCreateUser', summary: 'Create a login for an account', security: ADMIN_SECURITY, params: IdParams, body: UserBody, response: { 201: okObject({ user_id: Type.Integer(), username: Type.String(), role: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      const user = await createUser(souk.db, { accountId: request.params.id, ...request.body });
      return reply.code(201).send({ ok: true, user_id: user.id, username: user.username, role: user.role });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/accounts/:id/keys',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminListKeys', summary: "An account's API keys (never the secrets)", security: ADMIN_SECURITY, params: IdParams, response: { 200: okObject({ keys: Type.Array(Type.Ref('ApiKey')) }), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      await getAccount(souk.db, request.params.id);
      return { ok: true, keys: (await listApiKeys(souk.db, request.params.id)).map(keyView) };
    },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof KeyBody> }>(
    '/accounts/:id/keys',
    {
      config: { auth: ADMIN, idempotency: { kind: 'answer', shownOnce: ['api_key', 'signing_secret'] } },
      schema: {
        tags: ['admin'],
        operationId: 'adminCreateKey',
        summary: 'Issue an API key (shown once)',
        security: ADMIN_SECURITY,
        params: IdParams,
        body: KeyBody,
        response: {
          201: okObject({
            key_id: Type.String(),
            api_key: ShownOnce('The API key, `sk_live_…`.'),
            prefix: Type.String(),
            scopes: Type.Array(Type.String()),
            signing_secret: ShownOnce('The signing secret of a signed key (else `null`).'),
          }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const created = await createApiKey(souk.db, souk.box, {
        accountId: request.params.id,
        scopes: request.body.scopes,
        label: request.body.label,
        signed: request.body.signed,
        requireSignature: request.body.require_signature,
      });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ok: true, key_id: created.keyId, api_key: created.apiKey, prefix: created.prefix, scopes: created.scopes, signing_secret: created.signingSecret });
    },
  );
  app.post<{ Params: Static<typeof KeyParams> }>(
    '/keys/:keyId/revoke',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminRevokeKey', summary: 'Revoke an API key', security: ADMIN_SECURITY, params: KeyParams, response: { 200: okObject({ key: Type.Ref('ApiKey') }), ...errorResponses(401, 403, 404) } } },
    async (request) => ({ ok: true, key: keyView(await revokeApiKey(souk, request.params.keyId)) }),
  );
}
