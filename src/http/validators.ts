// Schema validation, per part of the request. Path and query parameters arrive as text, so they are
// coerced to the types their schemas name (`?limit=5` is 5). A JSON body carries its own types and
// is never coerced: `quantity: "2"`, `true` or `[1]` is refused, not read as 2, 1 or 1, and a
// reference like "9e0" or "0x9" stays the text it is. Where a document's clients send one field in
// two forms (seed 003's item_id as a number or a string of digits), its schema says so. A body
// schema that says `additionalProperties: false` (the canonical API's paid routes) refuses a field
// it does not know, naming it, rather than dropping it: `qty` for `quantity` must not buy one unit.
// The seed profiles' schemas leave it open, so what their documents' clients add goes unread.
import AjvCompiler, { type BuildCompilerFromPool } from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { Options } from 'ajv';

/**
 * Values a body may hold for a refusal to name every bad field. Past it only the first is named:
 * naming them all costs a error object per bad value, and a bulk body holds millions of values.
 */
const NAME_EVERY_FIELD_UP_TO = 1000;

const SHARED: Options = { removeAdditional: true, useDefaults: true };
const fromPool = AjvCompiler();

interface Validate {
  (data: unknown): boolean;
  errors?: FastifySchemaValidationError[] | null;
}

/** Whether `root` holds more than `limit` values, looking at no more than that many. */
function holdsMoreThan(root: unknown, limit: number): boolean {
  const stack: unknown[] = [root];
  let seen = 1;
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (++seen > limit) return true;
      stack.push(child);
    }
  }
  return false;
}

/**
 * A body validator that stops at the first error, then, for a body small enough, validates again
 * naming every bad field; the full validator is compiled on the first refusal.
 */
function bodyValidator(first: Validate, all: () => Validate): Validate {
  let full: Validate | undefined;
  const validate = ((data: unknown) => {
    if (first(data)) {
      validate.errors = null;
      return true;
    }
    let errors: FastifySchemaValidationError[] | null | undefined = first.errors;
    if (!holdsMoreThan(data, NAME_EVERY_FIELD_UP_TO)) {
      full ??= all();
      full(data);
      errors = full.errors ?? errors;
    }
    validate.errors = errors;
    return false;
  }) as Validate;
  return validate;
}

/** Fastify's validator factory: bodies are never coerced, path, query and headers are. */
export function buildValidator(externalSchemas: Parameters<BuildCompilerFromPool>[0]): ReturnType<BuildCompilerFromPool> {
  // The pool's declared type says it compiles bare schemas; Fastify calls it with route definitions.
  const pool = (options: Options) => fromPool(externalSchemas, { customOptions: { ...SHARED, ...options } }) as unknown as (route: Parameters<FastifySchemaCompiler<unknown>>[0]) => Validate;
  const text = pool({ coerceTypes: 'array', allErrors: true });
  const bodyFirst = pool({ coerceTypes: false, allErrors: false, removeAdditional: false });
  const bodyAll = pool({ coerceTypes: false, allErrors: true, removeAdditional: false });
  const compile: FastifySchemaCompiler<unknown> = (route) => (route.httpPart === 'body' ? bodyValidator(bodyFirst(route), () => bodyAll(route)) : text(route));
  return compile as unknown as ReturnType<BuildCompilerFromPool>;
}
