// The browser apps, served from this process: the storefront at `/` and the console at `/admin`,
// both built by Vite into dist/web (web/ holds their sources). Hashed assets live under /assets/
// and are cached for a year; the two index.html pages are never cached, and any page path (a
// GET that no route serves: /admin and below outside /admin/api, or one of the storefront's
// page prefixes) answers its app's index.html so the browser's router can take it from there.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { errorEnvelope } from './envelope.js';

/** Where `npm run build` puts the web apps: <checkout>/dist/web. */
export const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

/** Paths that belong to the APIs and tools: an unknown one there keeps its JSON 404, never a page. */
const NOT_PAGES = /^\/(api|admin\/api|v1|docs|hooks|upstream|connect|metrics|assets)(\/|$)/;
const CONSOLE = /^\/admin(\/|$)/;
// The storefront's page paths, by first segment (web/src/shop/main.tsx routes them): any other
// unknown path stays a JSON 404, so a mistyped API call never gets a page. Add a segment here
// with a new storefront page.
const STOREFRONT = /^\/(products|orders|checkout|account|wallet)(\/|$)/;
const NOT_BUILT = 'The web console and storefront are not built in this checkout: run `npm run build`, then start Souk again.\n';

interface Pages {
  storefront: string | undefined;
  console: string | undefined;
}

function readPage(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Which app's page a GET of `path` answers, or undefined when it is not a page path. */
export function pageOf(path: string): 'storefront' | 'console' | undefined {
  if (NOT_PAGES.test(path)) return undefined;
  // A path with a file extension is a missing file, not a page (favicon.ico, robots.txt).
  if (/\.[A-Za-z0-9]{1,8}$/.test(path)) return undefined;
  if (CONSOLE.test(path)) return 'console';
  return path === '/' || STOREFRONT.test(path) ? 'storefront' : undefined;
}

/** True when the (still percent-encoded) path names a file inside /assets/: no `..` segment, no NUL. */
function isPlainAssetPath(raw: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return false;
  }
  return !decoded.includes('\0') && !decoded.split(/[\\/]/).includes('..');
}

/**
 * Registers /assets/ and returns the not-found fallback: true when it answered `request` with a
 * page (index.html, or the message saying to build), false when the caller should answer 404.
 */
export async function registerWebApps(app: FastifyInstance, dir: string = DEFAULT_WEB_DIR): Promise<(request: FastifyRequest, reply: FastifyReply) => boolean> {
  const pages: Pages = { storefront: readPage(path.join(dir, 'index.html')), console: readPage(path.join(dir, 'admin', 'index.html')) };
  const assets = path.join(dir, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      // File names carry a content hash: a changed file is a new URL.
      immutable: true,
      maxAge: '365d',
      index: false,
      list: false,
      dotfiles: 'deny',
      // A path that climbs out is simply not an asset: 404 like any other, not send's 403.
      allowedPath: (pathName) => isPlainAssetPath(pathName),
      schemaHide: true,
    });
  }
  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = request.url.split('?')[0] ?? '';
    // A missing asset: 404 (the /assets/* route would otherwise make it a 405 for GET).
    if (path.startsWith('/assets/')) {
      void reply.code(404).send(errorEnvelope('not_found', `No file ${path.slice(0, 200)}.`, request.id));
      return true;
    }
    const app = pageOf(path);
    if (!app) return false;
    const page = pages[app];
    reply.header('cache-control', 'no-cache');
    if (page === undefined) {
      void reply.code(200).type('text/plain; charset=utf-8').send(NOT_BUILT);
    } else {
      void reply.code(200).type('text/html; charset=utf-8').header('x-content-type-options', 'nosniff').send(page);
    }
    return true;
  };
}
