// Which methods each path is served with, so that a known path asked with another method answers
// 405 with `Allow` (RFC 9110 §15.5.5) instead of a 404 that says the path does not exist.
import type { RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    routeMethods: RouteMethods;
  }
}

interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

/** `/products/:ref` → a RegExp for one concrete path; `*` takes the rest of the path. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/** The methods of every registered route, by path pattern; fed by an onRoute hook. */
export class RouteMethods {
  private readonly paths = new Map<string, PathMethods>();

  /** An onRoute hook: records the route's methods under its path (a GET route answers HEAD too). */
  readonly onRoute = (route: RouteOptions) => {
    const url = route.url.length > 1 ? route.url.replace(/\/$/, '') : route.url;
    let entry = this.paths.get(url);
    if (!entry) {
      entry = { pattern: patternOf(url), methods: new Set() };
      this.paths.set(url, entry);
    }
    for (const method of [route.method].flat()) {
      entry.methods.add(method);
      if (method === 'GET') entry.methods.add('HEAD');
    }
  };

  /** The methods some route serves `path` with (sorted), or none if no route has that path. */
  allowed(path: string): string[] {
    const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
    const methods = new Set<string>();
    for (const { pattern, methods: own } of this.paths.values()) {
      if (pattern.test(trimmed)) for (const method of own) methods.add(method);
    }
    return [...methods].sort();
  }
}
