// The review queue at /admin/api/reviews: orders the risk score sent to a person, each with the
// rules that fired in words; approve (it is fulfilled) or reject with a reason (refunded). And the
// high-risk mark of a product, which the score reads.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { orderDepsOf, type Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { setProductHighRisk } from '../../core/catalog/index.js';
import { wireTime } from '../../core/clock.js';
import { formatMinor } from '../../core/money.js';
import { approveReview, listReviews, rejectReview, type OrderDetail, type ReviewEntry } from '../../core/orders/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, WireTime } from '../schema-helpers.js';

const ADMIN = needs('admin');

const ReviewSchema = Type.Object(
  {
    order_id: Type.String(),
    number: Type.String(),
    account_id: Type.Integer(),
    channel: Type.String({ description: 'api, partner, shop or zid.' }),
    product_code: Type.String(),
    quantity: Type.Integer(),
    amount: Type.String({ description: 'What was charged, a decimal in `currency`.' }),
    currency: Type.String(),
    payment_provider: Type.String({ description: 'How it was paid: wallet, or the gateway or crypto provider (a rejection refunds through it).' }),
    buyer_email: Type.Union([Type.String(), Type.Null()]),
    client_ip: Type.Union([Type.String(), Type.Null()]),
    risk_score: Type.Union([Type.Integer(), Type.Null()], { description: '0 to 100.' }),
    reasons: Type.Array(
      Type.Object({
        rule: Type.String({ description: 'account_velocity, email_velocity, ip_velocity, first_order, amount_above_history, disposable_email, email_on_many_accounts, high_risk_product or review_above.' }),
        points: Type.Integer(),
        reason: Type.String({ description: 'In words.' }),
      }),
      { description: 'Each rule that fired.' },
    ),
    review_until: Type.Union([WireTime(), Type.Null()], { description: 'When it is rejected and refunded if nobody decides (SOUK_REVIEW_TIMEOUT).' }),
    created_at: WireTime(),
  },
  { $id: 'Review', title: 'Review' },
);

const Decision = okObject({
  order_id: Type.String(),
  number: Type.String(),
  status: Type.String({ description: 'Where the order went: fulfilled, processing (bought upstream, or a manual product), or rejected.' }),
  reason: Type.Union([Type.String(), Type.Null()]),
});

const OrderParams = Type.Object({ order_id: Type.String({ minLength: 1, maxLength: 40, description: "Souk's order id." }) });
const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 400, description: 'Why: recorded, audited and sent with the status callback.' }) });
const ProductParams = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 160, description: 'Product id, code or slug.' }) });
const RiskBody = Type.Object({ high_risk: Type.Boolean({ description: "True: the product's orders score more in the risk review." }) });

function reviewView(entry: ReviewEntry): Static<typeof ReviewSchema> {
  return {
    order_id: entry.order_id,
    number: entry.number,
    account_id: entry.account_id,
    channel: entry.channel,
    product_code: entry.product_code,
    quantity: entry.quantity,
    amount: formatMinor(entry.charged_minor, entry.charged_currency),
    currency: entry.charged_currency,
    payment_provider: entry.payment_provider,
    buyer_email: entry.buyer_email,
    client_ip: entry.client_ip,
    risk_score: entry.risk_score,
    reasons: entry.reasons,
    review_until: wireTime(entry.review_until),
    created_at: wireTime(entry.created_at)!,
  };
}

const decisionView = (order: OrderDetail) => ({ ok: true as const, order_id: order.id, number: order.number, status: order.status, reason: order.reason });

export async function adminReviewRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  const deps = orderDepsOf(souk);
  app.addSchema(ReviewSchema);
  app.get(
    '/reviews',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListReviews',
        summary: 'Orders waiting in review, with the reasons (due soonest first)',
        security: ADMIN_SECURITY,
        response: { 200: okObject({ reviews: Type.Array(Type.Ref('Review')) }), ...errorResponses(401, 403) },
      },
    },
    async () => ({ ok: true, reviews: (await listReviews(souk.db)).map(reviewView) }),
  );
  app.post<{ Params: Static<typeof OrderParams> }>(
    '/reviews/:order_id/approve',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminApproveReview',
        summary: 'Approve an order in review: it is fulfilled (or goes on to its provider or the manual queue)',
        description: 'Audited; sends the status callback and webhooks. 409 invalid_state when the order is no longer in review (decided, or expired).',
        security: ADMIN_SECURITY,
        params: OrderParams,
        response: { 200: Decision, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => decisionView(await approveReview(deps, request.params.order_id, actorOf(request.principal!))),
  );
  app.post<{ Params: Static<typeof OrderParams>; Body: Static<typeof RejectBody> }>(
    '/reviews/:order_id/reject',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminRejectReview',
        summary: 'Reject an order in review, saying why: its codes go back on sale and its money back the way it was paid',
        description: 'Audited; sends the status callback and webhooks. 409 invalid_state when the order is no longer in review.',
        security: ADMIN_SECURITY,
        params: OrderParams,
        body: RejectBody,
        response: { 200: Decision, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => decisionView(await rejectReview(deps, request.params.order_id, actorOf(request.principal!), request.body.reason)),
  );
  app.put<{ Params: Static<typeof ProductParams>; Body: Static<typeof RiskBody> }>(
    '/products/:ref/risk',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminSetProductRisk',
        summary: 'Mark a product high-risk (its orders score more in the risk review), or not',
        security: ADMIN_SECURITY,
        params: ProductParams,
        body: RiskBody,
        response: { 200: okObject({ product_code: Type.String(), high_risk: Type.Boolean() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const marked = await setProductHighRisk(souk.db, request.params.ref, request.body.high_risk, actorOf(request.principal!));
      return { ok: true, product_code: marked.code, high_risk: marked.high_risk };
    },
  );
}
