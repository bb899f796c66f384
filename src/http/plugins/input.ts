// Two kinds of input that pass schema validation but must never reach the core:
// - U+0000 in any text (path, query, body): PostgreSQL cannot store or even compare it, and no
//   name, code or credential needs it. Refused the same way on both databases.
// - Non-finite numbers: JSON.parse reads 1e309 in a body, and Ajv's coercion of path and query text
//   reads "1e309" or "Infinity", as Infinity, which then skips `minimum`/`maximum`. Refused after
//   validation.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ValidationFailed } from '../../core/errors.js';

type Part = 'params' | 'query' | 'body';

/** The dotted path of the first value (or key) that `bad` flags, walking without recursion. */
function findBad(root: unknown, bad: (value: unknown) => boolean): string | undefined {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (bad(value)) return path;
    if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (bad(key)) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return undefined;
}

const hasNul = (value: unknown) => typeof value === 'string' && value.includes('\u0000');
const nonFinite = (value: unknown) => typeof value === 'number' && !Number.isFinite(value);

function check(request: FastifyRequest, parts: Part[], bad: (value: unknown) => boolean, message: string, problem: string) {
  for (const part of parts) {
    const path = findBad(request[part], bad);
    if (path !== undefined) throw new ValidationFailed(message, [{ field: path || part, message: problem }]);
  }
}

export const inputPlugin = fp(async function inputPlugin(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    // A JSON body can only hold U+0000 if its text spells the escape; skip the walk otherwise. (The
    // docs routes, registered before the auth plugin decorates requests, have no rawBody.)
    const raw: string | undefined = request.rawBody;
    const parts: Part[] = raw === undefined || raw.includes('\\u0000') ? ['params', 'query', 'body'] : ['params', 'query'];
    check(request, parts, hasNul, 'The request contains a NUL character (U+0000), which no field accepts.', 'must not contain U+0000');
  });
  app.addHook('preHandler', async (request) => {
    check(request, ['params', 'query', 'body'], nonFinite, 'The request contains a number that is not finite.', 'must be a finite number');
  });
});
