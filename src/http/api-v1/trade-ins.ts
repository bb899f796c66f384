// Trade-ins on the canonical API: a reseller or partner sells codes of a product the shop buys
// back (its `buyback` in the catalog). POST answers 202 with the trade-in in `verifying`; the
// wallet is credited once the shop decides, with a payout callback (payout.completed/rejected).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { tradeInDepsOf, type Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { NotFound } from '../../core/errors.js';
import { findAccountTradeIn, listTradeIns, MAX_TRADE_IN_CODES, offerTradeIn, tradeInView } from '../../core/trade-ins/index.js';
import { needs } from '../route-policy.js';
import { apiErrorResponses, CALLER_SECURITY } from '../schema-helpers.js';

const TradeInBody = Type.Object(
  {
    product: Type.Union([Type.String({ minLength: 1, maxLength: 160 }), Type.Integer({ minimum: 1 })], { description: 'The product sold: id, code or slug. It must have a buy-back price.' }),
    items: Type.Array(Type.Object({ code: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: MAX_TRADE_IN_CODES,
      description: `The codes sold, 1 to ${MAX_TRADE_IN_CODES}, each once.`,
    }),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'Your own id for it: a retry with the same id and body answers the first trade-in; another body is 422.' })),
    callback_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://', description: 'Receives payout.completed or payout.rejected, signed.' })),
  },
  { additionalProperties: false },
);
type TradeInBody = Static<typeof TradeInBody>;
const Answer = Type.Object({ ok: Type.Literal(true), trade_in: Type.Ref('TradeIn') });

export async function tradeInRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.post<{ Body: TradeInBody }>(
    '/trade-ins',
    {
      config: { auth: needs('orders:write') },
      schema: {
        tags: ['orders'],
        operationId: 'createTradeIn',
        summary: 'Sell codes to the shop (a trade-in)',
        description:
          "Answers 202 with the trade-in in `verifying` (200 for a retry with the same reference and body). The shop checks each code; accepted codes are credited to your wallet at the product's buy-back price, once. " +
          'Errors: 400 validation (a code twice, a product not bought back), 404 item_not_found, 409 codes_refused (the shop already holds a code: its place in `items` is named), 422 idempotency_key_reused.',
        security: CALLER_SECURITY,
        body: TradeInBody,
        response: { 200: Answer, 202: Answer, ...apiErrorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const deps = tradeInDepsOf(souk);
      const body = request.body;
      const input = { product: body.product, codes: body.items.map((i) => i.code), clientReference: body.reference, callbackUrl: body.callback_url };
      const offered = await offerTradeIn(deps, request.principal!.accountId, input, actorOf(request.principal!));
      return reply.code(offered.replayed ? 200 : 202).send({ ok: true, trade_in: await tradeInView(souk.db, souk.vault, offered.row) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/trade-ins/:id',
    {
      config: { auth: needs('orders:read') },
      schema: {
        tags: ['orders'],
        operationId: 'getTradeIn',
        summary: 'Follow a trade-in',
        description: "By Souk's id or your reference. Another account's trade-in is 404.",
        security: CALLER_SECURITY,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 120 }) }),
        response: { 200: Answer, ...apiErrorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const row = await findAccountTradeIn(souk.db, request.principal!.accountId, request.params.id);
      if (!row) throw new NotFound(`No trade-in ${request.params.id}.`);
      return { ok: true as const, trade_in: await tradeInView(souk.db, souk.vault, row) };
    },
  );

  app.get<{ Querystring: { status?: 'verifying' | 'completed' | 'rejected' } }>(
    '/trade-ins',
    {
      config: { auth: needs('orders:read') },
      schema: {
        tags: ['orders'],
        operationId: 'listTradeIns',
        summary: 'Your trade-ins, newest first (at most 100)',
        security: CALLER_SECURITY,
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('verifying'), Type.Literal('completed'), Type.Literal('rejected')])) }),
        response: { 200: Type.Object({ ok: Type.Literal(true), trade_ins: Type.Array(Type.Ref('TradeIn')) }), ...apiErrorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => ({ ok: true as const, trade_ins: await listTradeIns(souk.db, souk.vault, { accountId: request.principal!.accountId, status: request.query.status }) }),
  );
}
