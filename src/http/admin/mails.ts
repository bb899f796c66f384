// Order mails for the shop owner: which went out, which wait, which failed and why; re-send one.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { listOrderMails, resendOrderMail, MAIL_STATUSES } from '../../core/mail/index.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, WireTime } from '../schema-helpers.js';
import { withWireTimes } from '../../core/clock.js';

const ADMIN = needs('admin');
const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);

const OrderMailSchema = Type.Object(
  {
    id: Type.Integer(),
    order_id: Type.String(),
    recipient: Type.String({ description: 'The buyer e-mail the codes go to.' }),
    status: Type.Union(MAIL_STATUSES.map((s) => Type.Literal(s)), { description: 'pending (waiting or retrying), sending, sent or failed (tries spent).' }),
    attempts: Type.Integer(),
    next_attempt_at: Nullable(WireTime({ description: 'When a pending mail is tried next.' })),
    last_error: Nullable(Type.String({ description: 'Why the last attempt failed.' })),
    message_id: Nullable(Type.String()),
    created_at: WireTime(),
    sent_at: Nullable(WireTime()),
  },
  { $id: 'OrderMail', title: 'OrderMail' },
);
const ListQuery = Type.Object({
  status: Type.Optional(Type.Union(MAIL_STATUSES.map((s) => Type.Literal(s)))),
  order_id: Type.Optional(Type.String({ maxLength: 26 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });

export async function adminMailRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(OrderMailSchema);
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/mails',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListOrderMails',
        summary: 'Mails of e-mail-delivery orders, newest first: sent, waiting, failed (with the last error)',
        security: ADMIN_SECURITY,
        querystring: ListQuery,
        response: { 200: okObject({ mails: Type.Array(Type.Ref('OrderMail')) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ ok: true, mails: (await listOrderMails(souk.db, { status: request.query.status, orderId: request.query.order_id, limit: request.query.limit })).map((mail) => withWireTimes(mail, 'next_attempt_at', 'created_at', 'sent_at')) }),
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    '/mails/:id/resend',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminResendOrderMail',
        summary: 'Send a failed (or sent) order mail again, with a fresh retry schedule',
        security: ADMIN_SECURITY,
        params: IdParams,
        response: { 200: okObject({}), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await resendOrderMail(souk.db, request.params.id);
      return { ok: true };
    },
  );
}
