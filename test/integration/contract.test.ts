import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { checkEveryAnswer, Contract } from '../helpers/contract.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';

// Every suite's answers are checked against the served document (helpers/contract.ts); these
// tests show that check refuses what the document does not allow, so a passing suite means
// something.

type Document = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };

for (const kind of DATABASE_KINDS) {
  describe(`every answer is checked against the OpenAPI document (${kind})`, () => {
    let t: TestSouk;
    let document: Document;
    before(async () => {
      t = await startTestSouk(kind);
      document = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    });
    after(() => t.close());

    /** A server whose answers are checked against `document` changed by `edit`. */
    async function checkedAgainst(edit: (d: Document) => void) {
      const changed: Document = structuredClone(document);
      edit(changed);
      const other = await startTestSouk(kind, { contract: false });
      checkEveryAnswer(other.app, Contract.fromText(JSON.stringify(changed)));
      return other;
    }

    test('an answer with a status its operation does not list fails the request', async () => {
      const other = await checkedAgainst((d) => delete d.paths['/admin/api/products']!.get!.responses['401']);
      try {
        await assert.rejects(other.app.inject({ url: '/admin/api/products' }), /GET \/admin\/api\/products answered 401, a status its operation does not list/);
        assert.equal((await other.app.inject({ url: '/admin/api/products', headers: bearer(other.adminKey) })).statusCode, 200);
      } finally {
        await other.close();
      }
    });

    test('a body its response schema refuses fails the request, naming the field', async () => {
      const other = await checkedAgainst((d) => {
        d.paths['/api/v1/health']!.get!.responses['200']!.content!['application/json']!.schema = {
          type: 'object',
          properties: { database: { type: 'integer' } },
        };
      });
      try {
        await assert.rejects(other.app.inject({ url: '/api/v1/health' }), /GET \/api\/v1\/health answered 200 with a body its schema refuses: \/database must be integer/);
      } finally {
        await other.close();
      }
    });

    test('a content type the response does not name fails the request', async () => {
      const other = await checkedAgainst((d) => {
        const response = d.paths['/api/v1/health']!.get!.responses['200']!;
        response.content = { 'text/plain': response.content!['application/json']! };
      });
      try {
        await assert.rejects(other.app.inject({ url: '/api/v1/health' }), /content type "application\/json", which the document does not name \(text\/plain\)/);
      } finally {
        await other.close();
      }
    });
  });
}
