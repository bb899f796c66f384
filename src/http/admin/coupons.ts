// Coupon administration: create, list, look at, disable and enable again. Their use is counted by
// placement; these routes never change a count.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { createCoupon, findCoupon, listCoupons, setCouponStatus, type Coupon } from '../../core/coupons/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, CurrencyCode, DecimalAmount, errorResponses, okObject, oneOfFields, WireTime } from '../schema-helpers.js';
import { withWireTimes } from '../../core/clock.js';

const ADMIN = needs('admin');
const Decimal = (description: string) => DecimalAmount(description);
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const CouponSchema = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    kind: Type.Union([Type.Literal('percent'), Type.Literal('amount')]),
    percent: Nullable(Type.String({ description: 'Percentage off (kind percent), e.g. "12.5".' })),
    amount: Nullable(Type.String({ description: 'Amount off (kind amount), decimal in `currency`.' })),
    currency: Nullable(Type.String()),
    product_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The one product it applies to; null for every product.' }),
    usage_limit: Type.Union([Type.Integer(), Type.Null()]),
    per_customer_limit: Type.Union([Type.Integer(), Type.Null()]),
    used_count: Type.Integer({ description: 'Uses that stand: orders cancelled, rejected or expired give theirs back.' }),
    starts_at: Nullable(WireTime()),
    ends_at: Nullable(WireTime()),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    created_at: WireTime(),
    updated_at: WireTime(),
  },
  { $id: 'Coupon', title: 'Coupon' },
);
const CreateBody = Type.Object({
  code: Type.String({ minLength: 3, maxLength: 64, pattern: '^\\s*[A-Za-z0-9][A-Za-z0-9_-]{2,63}\\s*$', description: 'A coupon code: 3 to 64 letters, digits, - and _, starting with a letter or digit; matched without regard to case.' }),
  percent: Type.Optional(Decimal('Percentage off, 0.01 to 100. Give this or amount.')),
  amount: Type.Optional(Decimal('A fixed amount off, in currency. Give this or percent.')),
  currency: Type.Optional(CurrencyCode('ISO 4217 (any case). Required with amount; the coupon applies only to products priced in it.')),
  product: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Integer()], { description: 'Product id, code or slug: only that product.' })),
  usage_limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Uses in all.' })),
  per_customer_limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Uses per buying account.' })),
  starts_at: Type.Optional(Type.String({ format: 'date-time' })),
  ends_at: Type.Optional(Type.String({ format: 'date-time' })),
}, oneOfFields([['percent'], ['amount', 'currency']], { only: true }));
const Params = Type.Object({ coupon: Type.String({ minLength: 1, maxLength: 64, description: 'Coupon id or code.' }) });
const ListQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])) });

function couponView(coupon: Coupon) {
  return withWireTimes(coupon, 'starts_at', 'ends_at', 'created_at', 'updated_at');
}

export async function adminCouponRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(CouponSchema);
  const tags = ['admin'];
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/coupons',
    { config: { auth: ADMIN }, schema: { tags, operationId: 'adminListCoupons', summary: 'Coupons, newest first', security: ADMIN_SECURITY, querystring: ListQuery, response: { 200: okObject({ coupons: Type.Array(Type.Ref('Coupon')) }), ...errorResponses(400, 401, 403) } } },
    async (request) => ({ ok: true, coupons: (await listCoupons(souk.db, request.query)).map(couponView) }),
  );
  app.post<{ Body: Static<typeof CreateBody> }>(
    '/coupons',
    {
      config: { auth: ADMIN },
      schema: {
        tags,
        operationId: 'adminCreateCoupon',
        summary: 'Create a coupon: a percentage or an amount off, optionally for one product, with limits and a validity window',
        security: ADMIN_SECURITY,
        body: CreateBody,
        response: { 201: okObject({ coupon: Type.Ref('Coupon') }), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send({ ok: true, coupon: couponView(await createCoupon(souk.db, request.body)) }),
  );
  app.get<{ Params: Static<typeof Params> }>(
    '/coupons/:coupon',
    { config: { auth: ADMIN }, schema: { tags, operationId: 'adminGetCoupon', summary: 'One coupon, with how often it has been used', security: ADMIN_SECURITY, params: Params, response: { 200: okObject({ coupon: Type.Ref('Coupon') }), ...errorResponses(401, 403, 404) } } },
    async (request) => ({ ok: true, coupon: couponView(await findCoupon(souk.db, request.params.coupon)) }),
  );
  for (const [action, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
    app.post<{ Params: Static<typeof Params> }>(
      `/coupons/:coupon/${action}`,
      {
        config: { auth: ADMIN },
        schema: {
          tags,
          operationId: action === 'disable' ? 'adminDisableCoupon' : 'adminEnableCoupon',
          summary: action === 'disable' ? 'Stop a coupon: orders still being placed with it are refused' : 'Let a disabled coupon be used again',
          security: ADMIN_SECURITY,
          params: Params,
          response: { 200: okObject({ coupon: Type.Ref('Coupon') }), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => ({ ok: true, coupon: couponView(await setCouponStatus(souk.db, request.params.coupon, status)) }),
    );
  }
}
