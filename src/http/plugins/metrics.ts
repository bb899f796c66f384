// Prometheus metrics: request counts and latency by route and status, plus the process defaults.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { constantTimeEqual } from '../../core/crypto.js';
import { Unauthorized } from '../../core/errors.js';
import { OPEN } from '../route-policy.js';

export const metricsPlugin = fp(async function metricsPlugin(app: FastifyInstance, options: { token: string | undefined; registries?: Registry[] }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'souk_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'souk_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'souk_http_request_duration_seconds',
    help: 'Time from request to response',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // Unmatched paths share one label so junk URLs cannot blow up the series count.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { config: { auth: OPEN }, schema: { hide: true } }, async (request, reply) => {
    if (options.token) {
      const given = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '');
      if (!constantTimeEqual(given, options.token)) throw new Unauthorized('Send Authorization: Bearer <SOUK_METRICS_TOKEN>.');
    }
    reply.type(registry.contentType);
    const more = await Promise.all((options.registries ?? []).map((r) => r.metrics()));
    return [await registry.metrics(), ...more].join('\n');
  });
});
