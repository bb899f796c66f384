// Upstream providers in the admin API: add, list, enable or disable, ping, balance, their live
// catalog, import with markup, sync, the orders forwarded to them, and resolving a stuck one.
// Credentials go in and never come out. Each handler calls souk.upstream and shapes its answer.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { wireTime } from '../../core/clock.js';
import { ValidationFailed } from '../../core/errors.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import { DIALECT_NAMES, findProvider, findUpstreamOrder, listProviders, listUpstreamOrders, providerView, type UpstreamOrderRow } from '../../core/upstream/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, WireTime } from '../schema-helpers.js';

const ADMIN = needs('admin');
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const ProviderSchema = Type.Object(
  {
    provider_id: Type.Integer(),
    name: Type.String(),
    url: Type.String(),
    dialect: Type.String({ description: DIALECT_NAMES.join(', ') }),
    currency: Type.String({ description: "The provider's currency: its prices and our balance there." }),
    sell_currency: Type.String({ description: 'What imported products are sold in.' }),
    markup_percent: Type.String(),
    markup_fixed: Type.String(),
    rounding: Type.String(),
    sync_interval_seconds: Type.Integer(),
    enabled: Type.Boolean(),
    reachability: Type.String({ description: 'unknown, up or down: what the last ping saw.' }),
    latency_ms: Nullable(Type.Integer()),
    balance: Nullable(Type.String({ description: 'Our balance at the provider as last seen, in its currency.' })),
    last_ping_at: Nullable(WireTime()),
    last_sync_at: Nullable(WireTime()),
    last_error: Nullable(Type.String()),
    created_at: WireTime(),
  },
  { $id: 'Provider', title: 'Provider' },
);
const Decimal = (description: string) => Type.Union([Type.String({ maxLength: 30 }), Type.Number({ minimum: 0 })], { description });
const AddBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    url: Type.String({ minLength: 1, maxLength: 500, description: "The API's base: https://a.example/api/v1 (souk, store), …/v1 (partner), …/api (shop), the panel's endpoint (smm)." }),
    dialect: Type.Union(DIALECT_NAMES.map((d) => Type.Literal(d))),
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The API key the provider gave (sealed at rest, never shown again); every dialect but shop needs one.' })),
    secret: Type.Optional(Type.String({ maxLength: 1000, description: 'Signing or callback secret, where the dialect uses one.' })),
    username: Type.Optional(Type.String({ maxLength: 320 })),
    password: Type.Optional(Type.String({ maxLength: 500 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    sell_currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    markup_percent: Type.Optional(Decimal('Percent added to the cost, e.g. "12.5".')),
    markup_fixed: Type.Optional(Decimal('Added per unit after the percent, in the sell currency.')),
    rounding: Type.Optional(Decimal('Prices are rounded up to a multiple of this, e.g. "0.05".')),
    sync_interval_seconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
  },
  { additionalProperties: false },
);
const PricingBody = Type.Object(
  {
    markup_percent: Type.Optional(Decimal('Percent added to the cost, e.g. "12.5".')),
    markup_fixed: Type.Optional(Decimal('Added per unit after the percent, in the sell currency.')),
    rounding: Type.Optional(Decimal('Prices are rounded up to a multiple of this, e.g. "0.05".')),
    sync_interval_seconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
  },
  { additionalProperties: false, description: 'Only what is given changes. Imported products are repriced by the next sync.' },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
const ImportBody = Type.Object(
  {
    refs: Type.Optional(Type.Array(Type.Object({ ref: Type.String({ minLength: 1, maxLength: 200 }), code: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })) }, { additionalProperties: false }), { minItems: 1, maxItems: 500 })),
    all: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, description: 'Either refs (each with the local code it gets, if chosen) or all: true.' },
);
const UpstreamOrderSchema = Type.Object(
  {
    order_id: Type.String(),
    provider_id: Type.Integer(),
    upstream_ref: Type.String(),
    state: Type.String({ description: 'new, sending, pending, delivered, failed, cancelled, or stuck (waiting for a person).' }),
    upstream_order_id: Nullable(Type.String()),
    last_error: Nullable(Type.String()),
    created_at: WireTime(),
    updated_at: WireTime(),
  },
  { $id: 'UpstreamOrder', title: 'UpstreamOrder' },
);
const UpstreamOrdersQuery = Type.Object({
  state: Type.Optional(Type.Union(['new', 'sending', 'pending', 'delivered', 'failed', 'cancelled', 'stuck'].map((s) => Type.Literal(s)))),
  provider_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, description: "Souk's order id." }) });
const ResolveBody = Type.Object({ outcome: Type.Literal('not_bought', { description: "A person checked the provider's panel: the order was not bought there. The order is rejected and refunded." }) }, { additionalProperties: false });

const orderView = (row: UpstreamOrderRow) => ({
  order_id: row.order_id,
  provider_id: row.provider_id,
  upstream_ref: row.upstream_ref,
  state: row.state,
  upstream_order_id: row.upstream_order_id,
  last_error: row.last_error,
  created_at: wireTime(row.created_at),
  updated_at: wireTime(row.updated_at),
});

export async function adminProviderRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(ProviderSchema);
  app.addSchema(UpstreamOrderSchema);
  const schema = (operationId: string, summary: string, rest: Record<string, unknown>) => ({ tags: ['admin'], operationId, summary, security: ADMIN_SECURITY, ...rest });

  app.post<{ Body: Static<typeof AddBody> }>(
    '/providers',
    { config: { auth: ADMIN }, schema: schema('adminAddProvider', 'Add an upstream provider', { body: AddBody, response: { 201: okObject({ provider: Type.Ref('Provider') }), ...errorResponses(400, 401, 403, 409) } }) },
    async (request, reply) => {
      const b = request.body;
      const row = await souk.upstream.add({
        name: b.name,
        url: b.url,
        dialect: b.dialect,
        key: b.key,
        secret: b.secret,
        username: b.username,
        password: b.password,
        currency: b.currency,
        sellCurrency: b.sell_currency,
        markupPercent: b.markup_percent,
        markupFixed: b.markup_fixed,
        rounding: b.rounding,
        syncIntervalSeconds: b.sync_interval_seconds,
      });
      return reply.code(201).send({ ok: true, provider: providerView(row) });
    },
  );
  app.get(
    '/providers',
    { config: { auth: ADMIN }, schema: schema('adminListProviders', 'Upstream providers', { response: { 200: okObject({ providers: Type.Array(Type.Ref('Provider')) }), ...errorResponses(401, 403) } }) },
    async () => ({ ok: true, providers: (await listProviders(souk.db)).map(providerView) }),
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/providers/:id',
    { config: { auth: ADMIN }, schema: schema('adminGetProvider', 'One upstream provider', { params: IdParams, response: { 200: okObject({ provider: Type.Ref('Provider') }), ...errorResponses(400, 401, 403, 404) } }) },
    async (request) => ({ ok: true, provider: providerView(await findProvider(souk.db, request.params.id)) }),
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof PricingBody> }>(
    '/providers/:id',
    {
      config: { auth: ADMIN },
      schema: schema('adminChangeProvider', "Change a provider's markup, rounding or sync interval (its imported products are repriced by the next sync)", {
        params: IdParams,
        body: PricingBody,
        response: { 200: okObject({ provider: Type.Ref('Provider') }), ...errorResponses(400, 401, 403, 404) },
      }),
    },
    async (request) => {
      const b = request.body;
      const row = await souk.upstream.changePricing(request.params.id, { markupPercent: b.markup_percent, markupFixed: b.markup_fixed, rounding: b.rounding, syncIntervalSeconds: b.sync_interval_seconds });
      return { ok: true, provider: providerView(row) };
    },
  );
  for (const [path, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<{ Params: Static<typeof IdParams> }>(
      `/providers/:id/${path}`,
      {
        config: { auth: ADMIN },
        schema: schema(`admin${enabled ? 'Enable' : 'Disable'}Provider`, enabled ? 'Buy from this provider again' : 'Stop buying from this provider (its products answer 503 provider_unavailable)', {
          params: IdParams,
          response: { 200: okObject({ provider: Type.Ref('Provider') }), ...errorResponses(400, 401, 403, 404) },
        }),
      },
      async (request) => ({ ok: true, provider: providerView(await souk.upstream.setEnabled(request.params.id, enabled)) }),
    );
  }
  app.post<{ Params: Static<typeof IdParams> }>(
    '/providers/:id/ping',
    {
      config: { auth: ADMIN },
      schema: schema('adminPingProvider', 'Ask the provider now: reachability, latency and our balance there (recorded)', {
        params: IdParams,
        response: {
          200: okObject({ provider_id: Type.Integer(), reachable: Type.Boolean(), latency_ms: Type.Integer(), balance: Nullable(Type.String()), currency: Type.String(), error: Nullable(Type.String()) }),
          ...errorResponses(400, 401, 403, 404),
        },
      }),
    },
    async (request) => ({ ok: true, ...(await souk.upstream.ping(request.params.id)) }),
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/providers/:id/balance',
    {
      config: { auth: ADMIN },
      schema: schema('adminProviderBalance', "Our balance at the provider, asked now (its GET /me or equivalent)", {
        params: IdParams,
        response: { 200: okObject({ provider_id: Type.Integer(), balance: Type.String(), currency: Type.String() }), ...errorResponses(400, 401, 403, 404, 409, 502) },
      }),
    },
    async (request) => ({ ok: true, ...(await souk.upstream.balance(request.params.id)) }),
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/providers/:id/products',
    {
      config: { auth: ADMIN },
      schema: schema('adminProviderProducts', "The provider's catalog now, imported or not", {
        params: IdParams,
        response: {
          200: okObject({
            products: Type.Array(
              Type.Object({
                upstream_ref: Type.String(),
                name: Type.String(),
                names: Type.Record(Type.String(), Type.String()),
                price: Type.String(),
                currency: Type.String(),
                stock: Nullable(Type.Integer()),
                status: Type.String(),
              }),
            ),
          }),
          ...errorResponses(400, 401, 403, 404, 502),
        },
      }),
    },
    async (request) => ({
      ok: true,
      products: (await souk.upstream.products(request.params.id)).map((p) => ({
        upstream_ref: p.ref,
        name: p.name.en ?? Object.values(p.name)[0] ?? p.ref,
        names: p.name,
        price: p.price,
        currency: p.currency,
        stock: p.stock,
        status: p.status,
      })),
    }),
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ImportBody> }>(
    '/providers/:id/import',
    {
      config: { auth: ADMIN },
      schema: schema('adminImportProviderProducts', "Import the provider's products as local products, priced with its markup", {
        params: IdParams,
        body: ImportBody,
        response: { 200: okObject({ imported: Type.Array(Type.Object({ product_id: Type.Integer(), code: Type.String(), upstream_ref: Type.String() })) }), ...errorResponses(400, 401, 403, 404, 409, 502) },
      }),
    },
    async (request) => {
      const { refs, all } = request.body;
      if ((refs === undefined) === (all !== true)) {
        throw new ValidationFailed('Give either refs or all: true.', [{ field: 'refs', message: 'either refs or all: true' }]);
      }
      return { ok: true, imported: await souk.upstream.import(request.params.id, all ? 'all' : refs!) };
    },
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    '/providers/:id/sync',
    {
      config: { auth: ADMIN },
      schema: schema('adminSyncProvider', "Bring the provider's imported products up to date now (price, stock, status)", {
        params: IdParams,
        response: { 200: okObject({ provider_id: Type.Integer(), listed: Type.Integer(), updated: Type.Integer(), paused: Type.Integer(), resumed: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 502) },
      }),
    },
    async (request) => ({ ok: true, ...(await souk.upstream.sync(request.params.id)) }),
  );
  app.get<{ Querystring: Static<typeof UpstreamOrdersQuery> }>(
    '/upstream-orders',
    {
      config: { auth: ADMIN },
      schema: schema('adminListUpstreamOrders', 'Orders forwarded to providers, oldest first (state=stuck: the ones waiting for a person)', {
        querystring: UpstreamOrdersQuery,
        response: { 200: okObject({ upstream_orders: Type.Array(Type.Ref('UpstreamOrder')) }), ...errorResponses(400, 401, 403) },
      }),
    },
    async (request) => {
      const q = request.query;
      return { ok: true, upstream_orders: (await listUpstreamOrders(souk.db, { state: q.state as UpstreamOrderRow['state'] | undefined, providerId: q.provider_id, limit: q.limit })).map(orderView) };
    },
  );
  app.post<{ Params: Static<typeof OrderParams>; Body: Static<typeof ResolveBody> }>(
    '/upstream-orders/:id/resolve',
    {
      config: { auth: ADMIN },
      schema: schema('adminResolveUpstreamOrder', 'Resolve a stuck upstream order a person checked at the provider (to deliver it, fulfil the order by hand instead)', {
        params: OrderParams,
        body: ResolveBody,
        response: { 200: okObject({ upstream_order: Type.Ref('UpstreamOrder') }), ...errorResponses(400, 401, 403, 404, 409) },
      }),
    },
    async (request) => {
      await souk.upstream.resolveNotBought(request.params.id, actorOf(request.principal!));
      return { ok: true, upstream_order: orderView((await findUpstreamOrder(souk.db, request.params.id))!) };
    },
  );
}
