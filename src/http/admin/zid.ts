// Zid in the admin API: start a connection, list the stores, one store's whole picture (status,
// last sync, counts, mapping, recent fulfilments), queue a sync, map a product, and the suggested
// mappings. Each handler calls souk.zid and shapes its answer; tokens never come out.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import { enqueueJob, wakeJobWorkers } from '../../core/jobs/index.js';
import { syncZidStoreJob } from '../../core/zid/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, WireTime } from '../schema-helpers.js';

const ADMIN = needs('admin');
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const STATUS = Type.String({ description: 'connected, needs_reconnect (Zid refused our refresh: connect the store again) or disconnected.' });

const StoreSummarySchema = Type.Object(
  { id: Type.Integer(), zid_store_id: Type.String(), name: Type.String(), status: STATUS, last_sync_at: Nullable(WireTime()) },
  { $id: 'ZidStoreSummary', title: 'ZidStoreSummary' },
);
const StoreSchema = Type.Object(
  {
    id: Type.Integer(),
    zid_store_id: Type.String(),
    name: Type.String(),
    currency: Nullable(Type.String()),
    country: Nullable(Type.String()),
    status: STATUS,
    account_id: Type.Integer({ description: "The account the store's orders are placed under (paid on Zid: its wallet is never charged)." }),
    connected_by: Type.String(),
    webhooks: Type.Integer({ description: 'Webhooks Zid accepted at the last connect (0: orders are found by the order sync only).' }),
    sync_in_progress: Type.Boolean(),
    last_sync_at: Nullable(WireTime()),
    last_order_sync_at: Nullable(WireTime()),
    last_error: Nullable(Type.String()),
    created_at: WireTime(),
    counts: Type.Object({ products: Type.Integer(), products_gone: Type.Integer(), mapped: Type.Integer(), categories: Type.Integer(), orders: Type.Integer(), fulfilments: Type.Integer() }),
    mapping: Type.Array(
      Type.Object({
        zid_product_id: Type.String(),
        sku: Nullable(Type.String()),
        name: Type.String(),
        name_ar: Nullable(Type.String()),
        price: Type.String(),
        currency: Type.String(),
        stock: Nullable(Type.Integer({ description: 'null: unlimited on Zid.' })),
        active: Type.Boolean(),
        gone: Type.Boolean({ description: 'Zid no longer has it.' }),
        product_id: Nullable(Type.Integer({ description: 'The Souk product it is fulfilled from; null: not fulfilled by Souk.' })),
        code: Nullable(Type.String()),
      }),
    ),
    recent_fulfilments: Type.Array(
      Type.Object({
        zid_order_id: Type.String(),
        order_number: Nullable(Type.String({ description: "Zid's order number." })),
        zid_product_id: Type.String(),
        order_id: Type.String(),
        order_number_souk: Type.String(),
        status: Type.String(),
        quantity: Type.Integer(),
        created_at: WireTime(),
      }),
    ),
  },
  { $id: 'ZidStore', title: 'ZidStore' },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
const MapParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }), zid_product_id: Type.String({ minLength: 1, maxLength: 60 }) });
const MapBody = Type.Object(
  { product: Type.Union([Type.String({ minLength: 1, maxLength: 120 }), Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }), Type.Null()], { description: 'The Souk product (id, code or slug) to fulfil it from; null unmaps it.' }) },
  { additionalProperties: false },
);
const Suggestion = Type.Object({
  zid_product_id: Type.String(),
  zid_name: Type.String(),
  product_id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  reason: Type.Union([Type.Literal('sku'), Type.Literal('name')]),
  likeness: Type.Number({ minimum: 0, maximum: 1 }),
});

export async function adminZidRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(StoreSummarySchema);
  app.addSchema(StoreSchema);
  const schema = (operationId: string, summary: string, rest: Record<string, unknown>) => ({ tags: ['admin'], operationId, summary, security: ADMIN_SECURITY, ...rest });

  app.post(
    '/zid/connect',
    { config: { auth: ADMIN }, schema: schema('adminConnectZid', 'A link that connects a Zid store (single use, ten minutes)', { response: { 200: okObject({ authorize_url: Type.String() }), ...errorResponses(401, 403, 409) } }) },
    async (request) => ({ ok: true as const, ...(await souk.zid.connect(actorOf(request.principal!))) }),
  );
  app.get(
    '/zid/stores',
    { config: { auth: ADMIN }, schema: schema('adminListZidStores', 'Connected Zid stores', { response: { 200: okObject({ stores: Type.Array(Type.Ref('ZidStoreSummary')) }), ...errorResponses(401, 403) } }) },
    async () => ({ ok: true as const, stores: await souk.zid.stores() }),
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/zid/stores/:id',
    { config: { auth: ADMIN }, schema: schema('adminGetZidStore', 'One Zid store: status, last sync, counts, mapping, recent fulfilments', { params: IdParams, response: { 200: okObject({ store: Type.Ref('ZidStore') }), ...errorResponses(400, 401, 403, 404) } }) },
    async (request) => ({ ok: true as const, store: await souk.zid.store(request.params.id) }),
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    '/zid/stores/:id/sync',
    { config: { auth: ADMIN }, schema: schema('adminSyncZidStore', "Queue a whole read of the store (a stopped one goes on where it was)", { params: IdParams, response: { 202: okObject({ queued: Type.Boolean() }), ...errorResponses(400, 401, 403, 404) } }) },
    async (request, reply) => {
      await souk.zid.store(request.params.id);
      const id = await enqueueJob(souk.db, syncZidStoreJob, { storeId: request.params.id }, { uniqueKey: `zid.sync:${request.params.id}:admin:${Math.floor(Date.now() / 10_000)}` });
      wakeJobWorkers(souk.db);
      return reply.code(202).send({ ok: true, queued: id !== undefined });
    },
  );
  app.put<{ Params: Static<typeof MapParams>; Body: Static<typeof MapBody> }>(
    '/zid/stores/:id/mapping/:zid_product_id',
    {
      config: { auth: ADMIN },
      schema: schema('adminMapZidProduct', 'Fulfil a Zid product from a Souk product (or stop, with null)', {
        params: MapParams,
        body: MapBody,
        response: { 200: okObject({ zid_product_id: Type.String(), product_id: Nullable(Type.Integer()), code: Nullable(Type.String()) }), ...errorResponses(400, 401, 403, 404) },
      }),
    },
    async (request) => ({ ok: true as const, ...(await souk.zid.map(request.params.id, request.params.zid_product_id, request.body.product)) }),
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/zid/stores/:id/suggestions',
    { config: { auth: ADMIN }, schema: schema('adminSuggestZidMappings', 'Souk products likely to be the unmapped Zid products (by SKU, then by name in English and Arabic)', { params: IdParams, response: { 200: okObject({ suggestions: Type.Array(Suggestion) }), ...errorResponses(400, 401, 403, 404) } }) },
    async (request) => ({ ok: true as const, suggestions: await souk.zid.suggest(request.params.id) }),
  );
}
