// The served OpenAPI document as a contract every test checks: each answer an in-process test
// receives must be a status its operation lists, with a content type the document names, and a
// body valid against that response's schema. startTestSouk installs it on `app.inject`, so every
// suite is a contract test. Requests to no documented operation (unknown paths, 405s, the
// documents' own routes, /metrics) are not checked: there is no contract to check them against.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
type Operation = { responses: Record<string, ResponseObject> };
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

interface PathTemplate {
  template: string;
  pattern: RegExp;
  parameters: number;
}

const COMPONENTS_ID = 'souk-openapi-components';

/** Checks answers against the document `app` serves at /api/v1/openapi.json. */
export class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly templates: PathTemplate[];
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(private readonly document: OpenApi) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: document.components?.schemas ?? {} });
    this.templates = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        parameters: (template.match(/\{/g) ?? []).length,
      }))
      // A static segment beats a parameter (`/orders/query` before `/orders/{id}`).
      .sort((a, b) => a.parameters - b.parameters);
  }

  /** The contract of the document `app` serves (read without a request, so no log line is written). */
  static of(app: FastifyInstance): Contract {
    return Contract.fromText(JSON.stringify(app.swagger()));
  }

  /** The contract of an OpenAPI document's JSON text. */
  static fromText(text: string): Contract {
    // Component references are made absolute so each response schema compiles on its own.
    return new Contract(JSON.parse(text.replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`)) as OpenApi);
  }

  /** What is wrong with `res` as the answer to `method path`, or undefined if the document allows it (or has no operation for it). */
  problem(method: string, url: string, res: LightMyRequestResponse): string | undefined {
    // As the request reached the server: dot segments resolved, as HTTP clients and inject do. A
    // target that starts with `//` is a path on the server, not another host (RFC 9112 origin-form).
    const target = url.split('?')[0] ?? '/';
    const path = new URL(`http://souk.test${target.startsWith('/') ? '' : '/'}${target}`).pathname.replace(/(.)\/$/, '$1');
    const template = this.templates.find((t) => t.pattern.test(path))?.template;
    if (template === undefined) return undefined;
    const verb = method.toUpperCase() === 'HEAD' ? 'get' : method.toLowerCase();
    const operation = this.document.paths[template]?.[verb];
    if (!operation) return undefined;
    const where = `${method.toUpperCase()} ${template} answered ${res.statusCode}`;
    const response = operation.responses[String(res.statusCode)];
    if (!response) return `${where}, a status its operation does not list (${Object.keys(operation.responses).join(', ')}): ${res.body.slice(0, 300)}`;
    if (method.toUpperCase() === 'HEAD' || res.body.length === 0) return undefined;
    const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const media = response.content?.[contentType];
    if (!media) return `${where} with content type "${contentType}", which the document does not name (${Object.keys(response.content ?? {}).join(', ') || 'no content'})`;
    if (media.schema === undefined) return undefined;
    if (!/json/.test(contentType)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return `${where} with a body that is not JSON: ${res.body.slice(0, 200)}`;
    }
    const validate = this.validator(`${verb} ${template} ${res.statusCode} ${contentType}`, media.schema);
    if (validate(body)) return undefined;
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    return `${where} with a body its schema refuses: ${errors.join('; ')}\n${res.body.slice(0, 500)}`;
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    const known = this.validators.get(key);
    if (known) return known;
    const validate = this.ajv.compile(schema as object);
    this.validators.set(key, validate);
    return validate;
  }
}

/**
 * Makes every awaited `app.inject({…})` check its answer against the contract, throwing when the
 * answer breaks it. The callback and chained forms of inject are left as they are.
 */
export function checkEveryAnswer(app: FastifyInstance, contract: Contract) {
  const inject = app.inject.bind(app);
  const checked = (options?: InjectOptions | string, callback?: unknown) => {
    if (options === undefined || callback !== undefined) return (inject as (...args: unknown[]) => unknown)(options, callback);
    const request = typeof options === 'string' ? { method: 'GET', url: options } : { method: options.method ?? 'GET', url: String(options.url ?? options.path ?? '/') };
    return inject(options).then((res) => {
      const problem = contract.problem(request.method, request.url, res);
      if (problem) throw new Error(`Contract: ${problem}`);
      return res;
    });
  };
  app.inject = checked as FastifyInstance['inject'];
}
