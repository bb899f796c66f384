// The simulator as a program, for trying Souk locally: a demo store, the settings Souk needs printed,
// then a ready line, and it runs until stopped. `souk zid simulate` calls runZidSimulator; it can
// also be run alone: node --import tsx test/fakes/zid/main.ts [--port P] [--redirect-uri URL].
import { pathToFileURL } from 'node:url';
import { startZidSimulator } from './index.js';

export interface RunOptions {
  port?: number;
  /** The callback Souk sends (SOUK_ZID_REDIRECT_URI); default http://127.0.0.1:8080/connect/zid/callback. */
  redirectUri?: string;
}

/** Starts a seeded simulator, prints how to point Souk at it and a ready line; stops on SIGINT or SIGTERM. */
export async function runZidSimulator(options: RunOptions = {}, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const sim = await startZidSimulator({ seed: true, port: options.port ?? 0, ...(options.redirectUri ? { redirectUri: options.redirectUri } : {}) });
  const publicUrl = new URL(sim.redirectUri).origin;
  out.write(
    [
      `Zid simulator: store ${sim.storeId} with ${sim.productCount()} products, 2 categories, a paid and an unpaid order.`,
      'Run Souk with these settings:',
      `  SOUK_ZID_OAUTH_URL=${sim.oauthUrl}`,
      `  SOUK_ZID_API_URL=${sim.apiUrl}`,
      `  SOUK_ZID_CLIENT_ID=${sim.clientId}`,
      `  SOUK_ZID_CLIENT_SECRET=${sim.clientSecret}`,
      `  SOUK_ZID_REDIRECT_URI=${sim.redirectUri}`,
      `  SOUK_PUBLIC_URL=${publicUrl}`,
      `Then connect the store (souk zid connect) and open the URL it gives; approval is automatic.`,
      `Place a paid order and send its webhook by hand: ${sim.base}/_sim`,
      `Zid simulator ready on ${sim.base}`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** `--port P` and `--redirect-uri URL` from a command line. */
function parseArgs(args: string[]): RunOptions {
  const options: RunOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = (args[i] ?? '').split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (name === '--port' && value !== undefined && /^\d+$/.test(value)) options.port = Number(value);
    else if (name === '--redirect-uri' && value) options.redirectUri = value;
    else throw new Error(`unknown or incomplete argument ${name}; use --port P and --redirect-uri URL`);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runZidSimulator(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
    process.stderr.write(`zid simulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
