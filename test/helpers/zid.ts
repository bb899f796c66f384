// A Souk pointed at a Zid simulator: a port for its public URL known before it starts (Zid must
// be told where to send the merchant back and where to post webhooks), and the settings that name
// the simulator as Zid.
import { createServer } from 'node:net';
import type { Env } from '../../src/config.js';
import type { ZidSimulator } from '../fakes/zid/index.js';

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The settings of a Souk reached at `publicUrl` whose Zid is `sim`. */
export function zidEnv(sim: ZidSimulator, publicUrl: string): Env {
  return {
    SOUK_PUBLIC_URL: publicUrl,
    SOUK_ZID_CLIENT_ID: sim.clientId,
    SOUK_ZID_CLIENT_SECRET: sim.clientSecret,
    SOUK_ZID_OAUTH_URL: sim.oauthUrl,
    SOUK_ZID_API_URL: sim.apiUrl,
  };
}
