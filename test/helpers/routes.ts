// Every route a built server registered, read back from `app.printRoutes()`, so suites can check
// the OpenAPI document against what really answers and throw requests at each route.
import type { FastifyInstance, HTTPMethods } from 'fastify';

export interface RegisteredRoute {
  method: HTTPMethods;
  /** Fastify's pattern, e.g. `/api/v1/products/:ref`. */
  url: string;
}

const METHODS: readonly HTTPMethods[] = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

function isMethod(value: string): value is HTTPMethods {
  return (METHODS as readonly string[]).includes(value);
}

/**
 * Parses the radix tree `printRoutes()` draws, where each line is a node whose label continues its
 * parent's path: `└── / (GET)`, `    └── a`, `        ├── pi/v1/`, `        │   └── :ref (GET, HEAD)`.
 * Every route found is checked with `app.hasRoute`, so a change in the drawing fails loudly.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const pathAtDepth: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const branch = line.search(/[├└]── /);
    if (branch < 0) continue;
    const depth = branch / 4;
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(branch + 4));
    if (!match || !Number.isInteger(depth)) throw new Error(`Cannot read the route line "${line}"`);
    const url = (depth === 0 ? '' : (pathAtDepth[depth - 1] ?? '')) + (match[1] ?? '');
    pathAtDepth[depth] = url;
    pathAtDepth.length = depth + 1;
    for (const method of (match[2] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) {
      if (!isMethod(method)) throw new Error(`Unknown method ${method} in "${line}"`);
      if (!app.hasRoute({ method, url })) throw new Error(`Read ${method} ${url} from printRoutes, but the app has no such route`);
      routes.push({ method, url });
    }
  }
  if (routes.length === 0) throw new Error('printRoutes listed no routes');
  return routes;
}

/** `/products/:ref` → `/products/{ref}`, as OpenAPI writes path parameters. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
