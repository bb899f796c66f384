// `souk worker --metrics-port`: the worker's metrics (webhook attempts, lag, queue depth) for
// Prometheus, on a port of its own since a worker serves no API. Same token rule as /metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { constantTimeEqual } from '../core/crypto.js';

export async function serveMetrics(registry: Registry, options: { host: string; port: number; token: string | undefined }): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') return void response.writeHead(404).end();
    const given = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '');
    if (options.token && !constantTimeEqual(given, options.token)) return void response.writeHead(401).end();
    registry
      .metrics()
      .then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
