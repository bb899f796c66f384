// Zid's two ways into Souk. GET /connect/zid/callback is where Zid sends the merchant back after
// approving (or not): it finishes the connection and answers a small page saying how it went.
// POST /hooks/zid/{token} is where Zid posts its webhooks: Zid signs nothing, so the token in the
// URL is the only proof, a wrong one is 404, and the body only names what to re-read from Zid.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../app.js';
import { DomainError, NotFound } from '../core/errors.js';
import { PUBLIC } from './route-policy.js';
import { apiErrorResponses, okObject, PUBLIC_SECURITY } from './schema-helpers.js';

const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 2000 })),
  state: Type.Optional(Type.String({ maxLength: 200 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 1000 })),
});
const HookParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>` +
    '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>' +
    `<body><h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`;
}

export async function zidRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get<{ Querystring: Static<typeof CallbackQuery> }>(
    '/connect/zid/callback',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['zid'],
        operationId: 'finishZidConnection',
        summary: 'Where Zid sends the merchant back after approving Souk (answers an HTML page)',
        security: PUBLIC_SECURITY,
        querystring: CallbackQuery,
        response: {
          200: { description: 'The store is connected.', content: { 'text/html': { schema: Type.String() } } },
          400: {
            description: 'Not connected, and why (a wrong, used or expired link; the merchant declined; Zid refused), as a page; a malformed request gets the error envelope.',
            content: { 'text/html': { schema: Type.String() }, 'application/json': { schema: { $ref: 'Error#' } } },
          },
          409: { description: 'Zid is not set up on this Souk (SOUK_ZID_CLIENT_ID, SOUK_ZID_CLIENT_SECRET, SOUK_PUBLIC_URL).', content: { 'text/html': { schema: Type.String() } } },
          ...apiErrorResponses(429),
        },
      },
    },
    async (request, reply) => {
      reply.type('text/html; charset=utf-8');
      try {
        const store = await souk.zid.finishConnection(request.query);
        const hooks = store.webhooks ? 'Its orders reach Souk as soon as they are paid.' : 'Its orders are read every few minutes.';
        return page('Store connected', `${store.name} is connected to Souk. Its products appear in Souk within a minute; map them to Souk products to fulfil them. ${hooks}`);
      } catch (error) {
        const message = error instanceof DomainError ? error.message : 'Zid could not be reached or answered something Souk cannot use. Start again from Souk in a few minutes.';
        if (!(error instanceof DomainError)) request.log.warn({ err: { type: (error as Error).name } }, 'zid connection failed');
        return reply.code(error instanceof DomainError && error.code === 'zid_not_configured' ? 409 : 400).send(page('Store not connected', message));
      }
    },
  );

  app.post<{ Params: Static<typeof HookParams> }>(
    '/hooks/zid/:token',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['zid'],
        operationId: 'receiveZidWebhook',
        summary: "A Zid store's webhook (order or product event); the order or product it names is re-read from Zid",
        security: PUBLIC_SECURITY,
        params: HookParams,
        body: Type.Unknown({ description: "Zid's webhook body; only the id of the order or product it names is used." }),
        response: { 200: okObject({}), ...apiErrorResponses(400, 404, 413, 429) },
      },
    },
    async (request) => {
      if (!(await souk.zid.receiveHook(request.params.token, request.body))) throw new NotFound('No such hook.');
      return { ok: true as const };
    },
  );
}
