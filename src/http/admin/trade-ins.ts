// Trade-ins for the owner: the ones waiting to be verified, and the decision on each code.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { tradeInDepsOf, type Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { decideTradeIn, listTradeIns, MAX_TRADE_IN_CODES, tradeInView } from '../../core/trade-ins/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, oneOfFields } from '../schema-helpers.js';

const ADMIN = needs('admin');
const Status = Type.Union([Type.Literal('verifying'), Type.Literal('completed'), Type.Literal('rejected')]);
const DecideBody = Type.Object(
  {
    rejected: Type.Optional(
      Type.Array(
        Type.Object(
          {
            code: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The code itself.' })),
            position: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TRADE_IN_CODES, description: "Or the code's position in the trade-in (as listed beside its mask)." })),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false, ...oneOfFields([['code'], ['position']], { only: true }) },
        ),
        { maxItems: MAX_TRADE_IN_CODES, description: 'The codes refused, each named by the code or its position, with why; every other code is accepted.' },
      ),
    ),
  },
  { additionalProperties: false },
);

export async function adminTradeInRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get<{ Querystring: { status?: Static<typeof Status> } }>(
    '/trade-ins',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListTradeIns',
        summary: 'Trade-ins, newest first (default: those waiting in verifying)',
        security: ADMIN_SECURITY,
        querystring: Type.Object({ status: Type.Optional(Status) }),
        response: { 200: okObject({ trade_ins: Type.Array(Type.Ref('TradeIn')) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ ok: true, trade_ins: await listTradeIns(souk.db, souk.vault, { status: request.query.status ?? 'verifying' }) }),
  );
  app.post<{ Params: { id: string }; Body: Static<typeof DecideBody> }>(
    '/trade-ins/:id/decide',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminDecideTradeIn',
        summary: 'Accept a trade-in, rejecting the codes listed',
        description: 'Accepted codes join stock as one batch and the wallet is credited once; a trade-in already decided is 409 invalid_state.',
        security: ADMIN_SECURITY,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) }),
        body: DecideBody,
        response: { 200: okObject({ trade_in: Type.Ref('TradeIn') }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      // The schema lets exactly one of code and position through.
      const rejected = (request.body.rejected ?? []).map(({ code, position, reason }) => (code !== undefined ? { code, reason } : { position: position!, reason }));
      const row = await decideTradeIn(tradeInDepsOf(souk), request.params.id, { rejected }, actorOf(request.principal!));
      return { ok: true, trade_in: await tradeInView(souk.db, souk.vault, row) };
    },
  );
}
