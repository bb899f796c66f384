// Stock administration: uploading codes (JSON or plain text, one per line), counts and masked
// lists, voiding a code, revealing one in full (audited), and the audit log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { listAuditLog } from '../../core/audit.js';
import { ValidationFailed } from '../../core/errors.js';
import { countStock, importStock, listStock, MAX_REJECTED_LISTED, revealStockItem, voidStockItem } from '../../core/inventory/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, WireTime } from '../schema-helpers.js';
import { withWireTimes } from '../../core/clock.js';

const ADMIN = needs('admin');
/** Codes per upload; one upload is imported in one transaction, all or nothing. */
const MAX_CODES_PER_UPLOAD = 50_000;
const UPLOAD_BODY_LIMIT = 8 * 1024 * 1024;
const UTF8_CHARSETS = ['utf-8', 'utf8', 'us-ascii'];

const StockStatus = Type.Union([Type.Literal('available'), Type.Literal('reserved'), Type.Literal('sold'), Type.Literal('void')]);
const StockIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const RefParams = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 160, description: 'Product id, code or slug.' }) });

const UploadBody = Type.Object({
  codes: Type.Array(Type.String(), { maxItems: MAX_CODES_PER_UPLOAD, description: 'One code per entry; blanks are skipped and counted, duplicates (here or already in stock) too.' }),
  batch: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'A label for this upload, shown in stock lists.' })),
  skip_invalid: Type.Optional(
    Type.Boolean({ description: 'true: a line that cannot be a code (longer than 500 characters) is left out and reported in `rejected` (line numbers counted from 1 in `codes`), instead of refusing the upload with 400.' }),
  ),
});
const RejectedSchema = Type.Object({
  count: Type.Integer({ description: 'Lines left out.' }),
  lines: Type.Array(Type.Object({ line: Type.Integer({ description: 'Position in `codes`, from 1.' }), reason: Type.Union([Type.Literal('too_long')]) }), {
    description: `The first ${MAX_REJECTED_LISTED} lines left out, with why.`,
  }),
}, { description: 'With skip_invalid only: the lines that were not codes.' });
const StockQuery = Type.Object({
  status: Type.Optional(StockStatus),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'next_after from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const AuditQuery = Type.Object({
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'e.g. stock.reveal, stock.void' })),
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'e.g. stock_item:42' })),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'next_before from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

const StockCountsSchema = Type.Object({ available: Type.Integer(), reserved: Type.Integer(), sold: Type.Integer(), void: Type.Integer() });
const StockItemSchema = Type.Object(
  {
    id: Type.Integer(),
    product_id: Type.Integer(),
    code: Type.String({ description: 'Masked: `ABCD-••••-••••-WXYZ`. POST /stock/{id}/reveal shows it in full.' }),
    status: Type.String(),
    order_id: Type.Union([Type.String(), Type.Null()]),
    batch: Type.Union([Type.String(), Type.Null()]),
    demo: Type.Boolean(),
    created_at: WireTime(),
    sold_at: Type.Union([WireTime(), Type.Null()]),
  },
  { $id: 'StockItem', title: 'StockItem' },
);
const AuditEntrySchema = Type.Object(
  {
    id: Type.Integer(),
    actor: Type.String({ description: 'key:<key id> or user:<user id>.' }),
    action: Type.String(),
    subject: Type.String(),
    detail: Type.Union([Type.String(), Type.Null()]),
    created_at: WireTime(),
  },
  { $id: 'AuditEntry', title: 'AuditEntry' },
);

/** A text/plain body as the JSON one: one code per line, the final newline ending the last line. */
function parseCodeLines(request: FastifyRequest, body: string): Static<typeof UploadBody> {
  request.rawBody = body;
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && !UTF8_CHARSETS.includes(charset)) {
    throw new ValidationFailed('Send text/plain codes as UTF-8.', [{ field: 'content-type', message: 'charset must be utf-8' }]);
  }
  if (body.includes('\u0000')) throw new ValidationFailed('The request contains a NUL character (U+0000), which no code may hold.', [{ field: 'codes', message: 'must not contain U+0000' }]);
  const lines = body.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return { codes: lines };
}

export async function adminStockRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  const deps = { db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect };
  app.addSchema(StockItemSchema);
  app.addSchema(AuditEntrySchema);

  // The upload alone also takes text/plain, in a scope of its own.
  await app.register(async (upload) => {
    upload.addContentTypeParser('text/plain', { parseAs: 'string' }, (request, body, done) => {
      try {
        done(null, parseCodeLines(request, String(body)));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    upload.post<{ Params: Static<typeof RefParams>; Body: Static<typeof UploadBody> }>(
      '/products/:ref/stock',
      {
        bodyLimit: Math.max(UPLOAD_BODY_LIMIT, souk.config.bodyLimitBytes),
        config: { auth: ADMIN },
        schema: {
          tags: ['admin'],
          operationId: 'adminUploadStock',
          summary: 'Upload codes for a stock product',
          description:
            `JSON \`{"codes": [...]}\`, or \`Content-Type: text/plain\` with one code per line; at most ${MAX_CODES_PER_UPLOAD} codes and 8 MB per request. ` +
            'An upload is imported all or nothing; codes already in stock are skipped and counted as duplicates, so uploading a file again is safe.',
          security: ADMIN_SECURITY,
          params: RefParams,
          body: UploadBody,
          response: {
            200: okObject({ imported: Type.Integer(), duplicates: Type.Integer(), blank: Type.Integer(), rejected: Type.Optional(RejectedSchema) }),
            ...errorResponses(400, 401, 403, 404, 413, 415),
          },
        },
      },
      async (request) => {
        const { codes, batch, skip_invalid: skipInvalid } = request.body;
        const result = await importStock(deps, request.params.ref, codes, { batch, chunkSize: MAX_CODES_PER_UPLOAD, skipInvalid });
        return { ok: true, ...result };
      },
    );
  });

  app.get<{ Params: Static<typeof RefParams>; Querystring: Static<typeof StockQuery> }>(
    '/products/:ref/stock',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminGetStock',
        summary: "A product's stock: counts by status and a page of items, codes masked",
        security: ADMIN_SECURITY,
        params: RefParams,
        querystring: StockQuery,
        response: {
          200: okObject({ product_id: Type.Integer(), counts: StockCountsSchema, items: Type.Array(Type.Ref('StockItem')), next_after: Type.Union([Type.Integer(), Type.Null()]) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { status, after, limit = 100 } = request.query;
      const [counts, items] = await Promise.all([countStock(souk.db, request.params.ref), listStock(souk.db, souk.vault, request.params.ref, { status, after, limit: limit + 1 })]);
      const page = items.slice(0, limit);
      return { ok: true, product_id: counts.product_id, counts, items: page.map((item) => withWireTimes(item, 'created_at', 'sold_at')), next_after: items.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  );
  app.post<{ Params: Static<typeof StockIdParams> }>(
    '/stock/:id/void',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminVoidStockItem',
        summary: 'Take an available code out of stock for good',
        security: ADMIN_SECURITY,
        params: StockIdParams,
        response: { 200: okObject({ id: Type.Integer(), status: Type.Literal('void') }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      await voidStockItem(deps, request.params.id, actorOf(request.principal!));
      return { ok: true, id: request.params.id, status: 'void' };
    },
  );
  app.post<{ Params: Static<typeof StockIdParams> }>(
    '/stock/:id/reveal',
    {
      // Revealing again is harmless and must be audited again: a key never replays a stored code.
      config: { auth: ADMIN, idempotency: { kind: 'rerun' } },
      schema: {
        tags: ['admin'],
        operationId: 'adminRevealStockItem',
        summary: 'Show one code in full (written to the audit log)',
        security: ADMIN_SECURITY,
        params: StockIdParams,
        response: { 200: okObject({ id: Type.Integer(), code: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const item = await revealStockItem(souk.db, souk.vault, request.params.id, actorOf(request.principal!));
      reply.header('cache-control', 'no-store');
      return { ok: true, id: item.id, code: item.code };
    },
  );
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/audit-log',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListAuditLog',
        summary: 'Recent audited acts (code reveals, voids …), newest first',
        security: ADMIN_SECURITY,
        querystring: AuditQuery,
        response: { 200: okObject({ entries: Type.Array(Type.Ref('AuditEntry')), next_before: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit = 100, ...filter } = request.query;
      const entries = await listAuditLog(souk.db, { ...filter, limit: limit + 1 });
      const page = entries.slice(0, limit);
      return { ok: true, entries: page.map((entry) => withWireTimes(entry, 'created_at')), next_before: entries.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  );
}
