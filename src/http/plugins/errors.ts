// The one place errors become HTTP answers: domain errors by their code, Fastify's own errors
// (validation, body parsing, size) by what the client did wrong, and anything else as a 500 whose
// details go to the log only.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type FieldProblem } from '../../core/errors.js';
import { errorEnvelope } from '../envelope.js';

interface AjvIssue {
  instancePath?: string;
  schemaPath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

const CONTEXT_PREFIX: Record<string, string> = { body: '', querystring: '', params: '', headers: 'header ' };
/** Bad fields named in one answer: a body can hold thousands, and the first ones say what to fix. */
const MAX_NAMED_FIELDS = 20;

/** The schema at a JSON pointer (`#/properties/buyer/anyOf`) inside `root`, if there is one. */
function schemaAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/**
 * For an anyOf/oneOf whose every branch only names required fields (`product` or `item_id`), the
 * one sentence that says so, instead of a "must have" per branch and "must match a schema".
 */
function alternativesMessage(issue: AjvIssue, schema: unknown, issues: AjvIssue[]): string | undefined {
  if ((issue.keyword !== 'anyOf' && issue.keyword !== 'oneOf') || !issue.schemaPath) return undefined;
  const branches = schemaAt(schema, issue.schemaPath);
  if (!Array.isArray(branches)) return undefined;
  const sets = branches.map((branch: unknown) => (branch !== null && typeof branch === 'object' ? (branch as { required?: unknown }).required : undefined));
  if (!sets.every((set): set is string[] => Array.isArray(set) && set.length > 0 && set.every((name) => typeof name === 'string'))) return undefined;
  const alternatives = sets.map((set) => set.join(' and ')).join(', or ');
  // A branch whose own fields were all given (no `required` issue) but that refused another set's
  // field (its `not`) means the body mixes two sets.
  const under = (i: number, keyword: string) => issues.some((other) => other.keyword === keyword && other.schemaPath?.startsWith(`${issue.schemaPath}/${i}/`));
  const mixed = issue.params?.passingSchemas || sets.some((_set, i) => under(i, 'not') && !under(i, 'required'));
  return mixed ? `takes only one of: ${alternatives}` : `needs ${alternatives}`;
}

/** For a pattern the schema describes, the description (which says the rule in words) instead of the pattern itself. */
function patternMessage(issue: AjvIssue, schema: unknown): string | undefined {
  if (issue.keyword !== 'pattern' || !issue.schemaPath) return undefined;
  const owner = schemaAt(schema, issue.schemaPath.replace(/\/pattern$/, ''));
  const description = owner !== null && typeof owner === 'object' ? (owner as { description?: unknown }).description : undefined;
  return typeof description === 'string' ? `is not valid: ${description}` : undefined;
}

/**
 * Turns schema-validation output into one problem per bad field (the first MAX_NAMED_FIELDS), named
 * as the client sent it. `schema`: the schema that was checked, to word alternatives as one problem.
 */
function fieldProblems(issues: AjvIssue[], context: string | undefined, schema?: unknown): { problems: FieldProblem[]; more: boolean } {
  const prefix = CONTEXT_PREFIX[context ?? 'body'] ?? '';
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  const alternatives = new Map<AjvIssue, string>();
  for (const issue of issues) {
    const message = alternativesMessage(issue, schema, issues);
    if (message) alternatives.set(issue, message);
  }
  const within = [...alternatives.keys()].map((issue) => `${issue.schemaPath}/`);
  for (const issue of issues) {
    if (within.some((path) => issue.schemaPath?.startsWith(path))) continue;
    let field = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const params = issue.params ?? {};
    if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
      field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
    } else if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      field = field ? `${field}.${params.additionalProperty}` : params.additionalProperty;
    }
    const name = prefix + (field || context || 'body');
    const message =
      alternatives.get(issue) ??
      patternMessage(issue, schema) ??
      (issue.keyword === 'required'
        ? 'is required'
        : issue.keyword === 'additionalProperties'
          ? 'is not a field of this request (check its spelling)'
          : issue.keyword === 'enum' && Array.isArray(params.allowedValues)
          ? `must be one of ${params.allowedValues.map(String).join(', ')}`
          : (issue.message ?? 'is not valid'));
    if (seen.has(name + message)) continue;
    if (problems.length === MAX_NAMED_FIELDS) return { problems, more: true };
    seen.add(name + message);
    problems.push({ field: name, message });
  }
  return { problems, more: false };
}

function describeFastifyError(error: FastifyError, request: FastifyRequest): { status: number; code: string; message: string; details?: Record<string, unknown> } | undefined {
  if (error.validation) {
    const part = error.validationContext;
    const schemas = request.routeOptions.schema as Record<string, unknown> | undefined;
    const schema = part === undefined ? undefined : schemas?.[part];
    const { problems: fields, more } = fieldProblems(error.validation as AjvIssue[], part, schema);
    const list = fields.map((f) => `${f.field} ${f.message}`).join('; ');
    return { status: 400, code: 'validation_error', message: `The request is not valid: ${list}${more ? '; and more' : ''}.`, details: { fields } };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'payload_too_large', message: 'The request body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'validation_error', message: 'The body is empty; send a JSON object or omit the Content-Type header.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'validation_error', message: 'The body is not valid JSON.' };
    // Raised by the router before any route matches (see `frameworkErrors` in server.ts).
    case 'FST_ERR_BAD_URL':
      return { status: 400, code: 'bad_request', message: 'The URL is not valid: check its percent-encoding.' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, code: 'uri_too_long', message: 'A part of the URL path is too long.' };
  }
  if (error instanceof SyntaxError) return { status: 400, code: 'validation_error', message: 'The body is not valid JSON.' };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 429 ? 'rate_limited' : 'bad_request';
    return { status, code, message: error.message || 'The request could not be handled.' };
  }
  return undefined;
}

/**
 * Answers an error in the envelope. `extra`: fields a profile adds to every error body (the shop
 * profile's `success: false`); `codes`: a surface's own word for a code (seed 003's `validation`).
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown, extra?: Record<string, unknown>, codes?: Readonly<Record<string, string>>) {
  // Errors raised before the onRequest hooks ran (router errors) would otherwise lack it.
  reply.header('x-request-id', request.id);
  const answer = (status: number, internalCode: string, message: string, details?: Record<string, unknown>) => {
    const code = codes?.[internalCode] ?? internalCode;
    request.failure = { code, message };
    return reply.code(status).send({ ...extra, ...errorEnvelope(code, message, request.id, details) });
  };
  if (error instanceof DomainError) return answer(error.status, error.code, error.message, error.details);
  const known = describeFastifyError(error as FastifyError, request);
  if (known) return answer(known.status, known.code, known.message, known.details);
  request.log.error({ err: error }, 'unhandled error');
  return answer(500, 'internal_error', 'Something went wrong on our side; it has been logged.');
}

/**
 * The answer for a request no route serves: 405 with `Allow` when the path is served with other
 * methods, else 404; `extra` as for sendError.
 */
export function sendNotFound(request: FastifyRequest, reply: FastifyReply, extra?: Record<string, unknown>) {
  const path = request.url.split('?')[0] ?? '';
  const allowed = request.server.routeMethods.allowed(path);
  if (allowed.length > 0) {
    const message = `${request.method} is not served at ${path.slice(0, 200)}; it takes ${allowed.join(', ')}.`;
    return reply.code(405).header('allow', allowed.join(', ')).send({ ...extra, ...errorEnvelope('method_not_allowed', message, request.id) });
  }
  return reply.code(404).send({ ...extra, ...errorEnvelope('not_found', `No route ${request.method} ${path.slice(0, 200)}.`, request.id) });
}

export interface ErrorsOptions {
  /** Answers a request no route serves with a page instead (the web apps' history fallback); false to answer 404. */
  pages?: (request: FastifyRequest, reply: FastifyReply) => boolean;
}

export const errorsPlugin = fp(async function errorsPlugin(app: FastifyInstance, options: ErrorsOptions) {
  app.decorateRequest('failure', null);
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) => {
    if (options.pages?.(request, reply)) return reply;
    return sendNotFound(request, reply);
  });
});
