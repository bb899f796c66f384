// Where payment gateways post their notifications: POST /hooks/payments/{btcpay|wechat} (JSON) and
// POST /hooks/payments/alipay (a form: the only route that takes application/x-www-form-urlencoded).
// Nothing here is believed before the gateway checks its signature over the raw body; the answer
// is the one each gateway expects (Alipay the text `success`, WeChat Pay's JSON, BTCPay any 2xx),
// so a gateway stops re-sending once Souk has the notification. Public routes: rate-limited per address.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Souk } from '../app.js';
import { ValidationFailed } from '../core/errors.js';
import { PUBLIC } from './route-policy.js';
import { apiErrorResponses, PUBLIC_SECURITY } from './schema-helpers.js';

const ANSWERED = {
  description: "The gateway's expected answer: accepted (200 or 204), or refused (400: a signature or body that does not check; nothing is credited).",
  content: { 'application/json': { schema: Type.Unknown() }, 'text/plain': { schema: Type.String() } },
};

function noticeOf(request: FastifyRequest) {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
  return { headers, body: request.rawBody, contentType: String(request.headers['content-type'] ?? '') };
}

async function answer(souk: Souk, name: string, request: FastifyRequest, reply: FastifyReply) {
  const received = await souk.gatewayPayments.receive(name, noticeOf(request));
  request.log.info({ gateway: name, outcome: received.outcome }, 'payment notification');
  reply.code(received.answer.status).type(received.answer.contentType);
  return received.answer.body;
}

const schemaFor = (name: string, operationId: string, summary: string, body: object) => ({
  tags: ['payments'],
  operationId,
  summary,
  description: `Configure ${name}'s notification URL as <SOUK_PUBLIC_URL>/hooks/payments/${name}. 404 when ${name} is not configured on this Souk.`,
  security: PUBLIC_SECURITY,
  body,
  response: { 200: ANSWERED, 204: { description: 'Accepted (WeChat Pay).' }, 400: ANSWERED, ...apiErrorResponses(404, 413, 415, 429) },
});

export async function paymentHookRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  for (const [name, summary] of [
    ['btcpay', 'A BTCPay Server webhook (signed with BTCPay-Sig)'],
    ['wechat', 'A WeChat Pay notification (signed, its resource sealed with AEAD_AES_256_GCM)'],
  ] as const) {
    app.post(
      `/hooks/payments/${name}`,
      { config: { auth: PUBLIC }, schema: schemaFor(name, `receive${name === 'btcpay' ? 'BtcPay' : 'WeChatPay'}Notification`, summary, Type.Unknown({ description: `${name}'s notification body, exactly as it signs it.` })) },
      (request, reply) => answer(souk, name, request, reply),
    );
  }

  // Alipay posts forms: this scope alone reads them, as text kept for the signature check.
  await app.register(async (alipay) => {
    alipay.removeAllContentTypeParsers();
    alipay.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
      const text = String(body);
      request.rawBody = text;
      const fields = new URLSearchParams(text);
      if ([...fields.keys()].length > 200) {
        done(new ValidationFailed('The form has more fields than any Alipay notification.', [{ field: 'body', message: 'at most 200 fields' }]), undefined);
        return;
      }
      done(null, Object.fromEntries(fields));
    });
    alipay.post(
      '/hooks/payments/alipay',
      {
        config: { auth: PUBLIC },
        schema: {
          ...schemaFor('alipay', 'receiveAlipayNotification', 'An Alipay asynchronous notification (a form, RSA2-signed)', Type.Object({}, { additionalProperties: Type.String() })),
          consumes: ['application/x-www-form-urlencoded'],
        },
      },
      (request, reply) => answer(souk, 'alipay', request, reply),
    );
  });
}
