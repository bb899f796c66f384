// The benchmark's baseline: a Fastify server with no plugins, no logger and no hooks that answers
// each URL it was given with a cached string, so the only difference from Souk is Souk's own work.
//
//   node --import tsx bench/bare-fastify.ts <bodies.json> [--buffer]
//
// bodies.json maps a request URL (path and query, e.g. "/api/v1/products?limit=1000") to the exact
// body to send. With --buffer each body is encoded to UTF-8 once and sent as a Buffer, instead of
// as a string that Node encodes again on every response. Prints "bare fastify listening on http://…"
// once it accepts connections.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bare-fastify.ts <bodies.json>\n');
  process.exit(2);
}
const asBuffer = process.argv.includes('--buffer');
const bodies = new Map<string, string | Buffer>();
for (const [url, body] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)) {
  bodies.set(url, asBuffer ? Buffer.from(body) : body);
}

const app = Fastify({ logger: false });
app.get('/api/v1/products', (request, reply) => {
  const body = bodies.get(request.url);
  if (body === undefined) return reply.code(404).send();
  return reply.type('application/json').send(body);
});

const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`bare fastify listening on ${url}\n`);

const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
