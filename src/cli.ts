// The `souk` command. Each subcommand parses its flags, calls the core, and prints either a
// human line or (with --json) one JSON object. Any error: a one-line reason on stderr, exit 1.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { loadConfig, type ConfigFlags } from './config.js';
import { openSouk, type Souk } from './app.js';
import { migrations, openDatabase, runMigrations } from './db/index.js';
import { apiKeyIdOf, createAccount, createApiKey, createUser, getAccount, revokeApiKey, listApiKeys, ACCOUNT_KINDS, type AccountKind } from './core/accounts/index.js';
import { importStock } from './core/inventory/index.js';
import { checkInvariants, fulfilManualOrder, rejectOrder } from './core/orders/index.js';
import { rekeySealedValues } from './core/rekey.js';
import { topUpWallet } from './core/wallets/index.js';
import { createCoupon, listCoupons, setCouponStatus, type Coupon } from './core/coupons/index.js';
import { createCategory, createProduct } from './core/catalog/index.js';
import { DomainError } from './core/errors.js';
import { formatMinor, parseMinor } from './core/money.js';
import { randomBase62 } from './core/crypto.js';
import { EVENT_TYPES } from './core/events/index.js';
import {
  callbackSecret,
  createWebhookEndpoint,
  DELIVERY_STATUSES,
  listDeliveries,
  listWebhookEndpoints,
  resendDelivery,
  resendFailedDeliveries,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhookEndpoint,
  type DeliveryStatus,
} from './core/webhooks/index.js';
import type { DemoCredentials, DemoExisting, DemoOutcome } from './demo/seed-demo.js';

const program = new Command();
program.name('souk').description('Sell digital goods: gift cards, vouchers, top-ups, license keys.').showHelpAfterError();
program
  .option('--data-dir <dir>', 'data folder (SOUK_DATA_DIR)')
  .option('--database-url <url>', 'sqlite:PATH or postgres://… (SOUK_DATABASE_URL)');

function configFlags(extra: ConfigFlags = {}): ConfigFlags {
  const global = program.opts<{ dataDir?: string; databaseUrl?: string }>();
  return { dataDir: global.dataDir, databaseUrl: global.databaseUrl, ...extra };
}

/** Runs a command with an open Souk and closes it after, whatever happens. */
/** What the webhook functions need of an open shop. */
function webhookDeps(souk: Souk) {
  return { db: souk.db, box: souk.box, allowPrivate: souk.config.webhookAllowPrivate };
}

async function withSouk<T>(run: (souk: Souk) => Promise<T>): Promise<T> {
  const souk = await openSouk(loadConfig(process.env, configFlags()));
  try {
    return await run(souk);
  } finally {
    await souk.close();
  }
}

function print(json: boolean | undefined, object: Record<string, unknown>, human: string) {
  process.stdout.write(json ? JSON.stringify(object) + '\n' : human + '\n');
}

function wholeNumber(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got "${value}"`);
    return Number(value);
  };
}

function demoBanner(demo: DemoCredentials, url: string): string {
  const sign = `sig=$(printf '' | openssl dgst -sha256 -hmac "${demo.partnerSigningSecret}" -hex | sed 's/^.* //')`;
  return [
    '',
    '  Souk demo is ready. These secrets are shown once; keep them now.',
    '',
    `  Admin login      ${demo.adminUsername} / ${demo.adminPassword}`,
    `  Admin API key    ${demo.adminKey}`,
    `  Reseller key     ${demo.resellerKey}   (key id ${demo.resellerKeyId}, account ${demo.resellerAccountId}; wallet funded with 1000.00 USD)`,
    `  Partner key      ${demo.partnerKey}   (key id ${demo.partnerKeyId}, account ${demo.partnerAccountId}; signs every /v1 request; wallet funded with 1000.00 USD)`,
    `  Partner signing secret  ${demo.partnerSigningSecret}`,
    `  Shop customer    ${demo.customerEmail} / ${demo.customerPassword}   (balances 5000.00 ${demo.shopCurrency} and 100.00 USD; coupon ${demo.coupon})`,
    `  Manual product   ${demo.manualProduct}: delivered by hand, so its orders wait and can be cancelled`,
    '',
    `  Try: curl ${url}/api/v1/products`,
    `       curl -H "Authorization: Bearer ${demo.resellerKey}" ${url}/api/v1/me`,
    `       curl -H "Authorization: Bearer ${demo.resellerKey}" -H "Content-Type: application/json" -d '{"product":"STEAM-20-USD"}' ${url}/api/v1/orders`,
    `       curl -H "Authorization: Bearer ${demo.resellerKey}" -H "Content-Type: application/json" -d '{"product":"${demo.manualProduct}"}' ${url}/api/v1/orders`,
    `         then: curl -X POST -H "Authorization: Bearer ${demo.resellerKey}" ${url}/api/v1/orders/ORDER_ID/cancel`,
    `       ts=$(date +%s); ${sign}`,
    `       curl -H "X-API-Key: ${demo.partnerKey}" -H "X-Timestamp: $ts" -H "X-Signature: $sig" ${url}/v1/products`,
    `       curl ${url}/api/products   (the shop, prices in ${demo.shopCurrency})`,
    `  API reference: ${url}/docs`,
    '',
  ].join('\n');
}

/** On a start with --demo over a database that has a catalog: say so, and how to get a key (the first start's secrets are not kept). */
function demoExistsLine(existing: DemoExisting): string {
  const keys = [
    existing.resellerAccountId !== null ? `souk key create --account ${existing.resellerAccountId} (the demo reseller)` : null,
    existing.partnerAccountId !== null ? `souk key create --account ${existing.partnerAccountId} --signed (the demo partner, for /v1)` : null,
  ].filter((k): k is string => k !== null);
  const how = keys.length ? keys.join('; ') : 'souk key create --account ID';
  return keys.length
    ? `Souk demo exists (seeded on an earlier start, which printed its secrets; only their hashes are kept). A new key: ${how}.`
    : `This database already has a catalog, so the demo was not seeded. A new key: ${how}.`;
}

function demoMessage(outcome: DemoOutcome, url: string): string {
  return 'seeded' in outcome ? demoBanner(outcome.seeded, url) : demoExistsLine(outcome.existing);
}

program
  .command('serve')
  .description('run the API (and, embedded, everything else) in this process')
  .option('--port <port>', 'HTTP port (PORT)')
  .option('--host <host>', 'address to bind (HOST)')
  .option('--demo', 'on an empty database, seed a demo catalog, an admin login and a reseller key')
  .option('--worker', 'also run the webhook worker in this process (the default when embedded on SQLite)')
  .option('--no-worker', 'do not run the webhook worker here (run `souk worker` instead)')
  .action(async (options: { port?: string; host?: string; demo?: boolean; worker?: boolean }) => {
    const config = loadConfig(process.env, configFlags({ port: options.port, host: options.host }));
    // Loaded here, not at the top, so the other commands start without the HTTP stack.
    const [{ buildServer }, { seedDemo }] = await Promise.all([import('./server.js'), import('./demo/seed-demo.js')]);
    const souk = await openSouk(config);
    souk.catalog.start();
    const demo = options.demo ? await seedDemo(souk) : undefined;
    const { DispatcherMetrics } = await import('./core/webhooks/index.js');
    const webhookMetrics = new DispatcherMetrics(souk.db);
    const app = await buildServer(souk, { metricsRegistries: [webhookMetrics.registry] });
    souk.checkpointInBackground((message) => app.log.error({ message }, 'WAL checkpoint failed; it will run again'));
    const { startSweeper } = await import('./worker/sweeper.js');
    const sweeper = startSweeper(souk, (error) => app.log.error({ err: error }, 'housekeeping failed; it will run again'));
    // Embedded (SQLite), this process is the worker too; with PostgreSQL, `souk worker` processes are.
    const { startWebhookWorker } = await import('./worker/webhooks.js');
    const runWorker = options.worker ?? config.database.kind === 'sqlite';
    const worker = runWorker
      ? await startWebhookWorker(souk, { metrics: webhookMetrics, onError: (error) => app.log.error({ err: error }, 'webhook dispatch failed; it will run again') })
      : undefined;
    const { startMailWorker } = await import('./worker/mail.js');
    const mail = runWorker
      ? startMailWorker(souk, { onError: (error) => app.log.error({ err: error }, 'order mail failed; it will be tried again'), log: (message, fields) => app.log.info(fields, message) })
      : undefined;
    // Handled before the address is announced: whoever starts Souk may stop it as soon as it reads it.
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
      try {
        await app.close();
        sweeper.stop();
        await worker?.stop();
        await mail?.stop();
        await souk.close();
        process.exit(0);
      } catch (error) {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    if (demo) process.stdout.write(demoMessage(demo, url) + '\n');
    const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL';
    process.stdout.write(`Souk serving on ${url} (${where})\n`);
  });

program
  .command('worker')
  .description('send webhooks and run scheduled jobs (with PostgreSQL, run one or more beside `souk serve`)')
  .option('--concurrency <n>', 'deliveries in flight at once (default 64)', wholeNumber('--concurrency'))
  .option('--metrics-port <port>', 'serve Prometheus metrics on this port (GET /metrics; SOUK_METRICS_TOKEN applies)', wholeNumber('--metrics-port'))
  .action(async (options: { concurrency?: number; metricsPort?: number }) => {
    const config = loadConfig(process.env, configFlags());
    const souk = await openSouk(config);
    const [{ startWebhookWorker }, { startSweeper }, { DispatcherMetrics }, { serveMetrics }] = await Promise.all([
      import('./worker/webhooks.js'),
      import('./worker/sweeper.js'),
      import('./core/webhooks/index.js'),
      import('./worker/metrics-server.js'),
    ]);
    const report = (what: string) => (error: unknown) => process.stderr.write(`souk worker: ${what}: ${reason(error)}\n`);
    const metrics = new DispatcherMetrics(souk.db);
    const sweeper = startSweeper(souk, report('housekeeping failed; it will run again'));
    const worker = await startWebhookWorker(souk, { metrics, onError: report('webhook dispatch failed; it will run again'), ...(options.concurrency ? { concurrency: options.concurrency } : {}) });
    const { startMailWorker } = await import('./worker/mail.js');
    const mail = startMailWorker(souk, {
      onError: report('order mail failed; it will be tried again'),
      log: (message, fields) => process.stdout.write(`souk worker: ${message} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}\n`),
    });
    const exporter = options.metricsPort !== undefined ? await serveMetrics(metrics.registry, { host: config.host, port: options.metricsPort, token: config.metricsToken }) : undefined;
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      sweeper.stop();
      await exporter?.close();
      await worker.stop();
      await mail.stop();
      await souk.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
    // Announced once a stop signal is handled: whoever starts the worker may stop it as soon as it reads this.
    const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL';
    process.stdout.write(`Souk worker running (${where})${exporter ? `; metrics on ${exporter.url}` : ''}\n`);
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const config = loadConfig(process.env, configFlags());
    const handle = openDatabase(config.database);
    try {
      const applied = await runMigrations(handle.db, handle.dialect, migrations);
      print(options.json, { applied }, applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date.');
    } finally {
      await handle.close();
    }
  });

const account = program.command('account').description('accounts: resellers, partners, admins');
account
  .command('create')
  .requiredOption('--name <name>', 'account name')
  .addOption(new Option('--kind <kind>', 'account kind').choices([...ACCOUNT_KINDS]).default('reseller'))
  .option('--currency <code>', 'ISO 4217 currency', 'USD')
  .option('--credit-limit <amount>', 'how far the wallet may go below zero', '0')
  .option('--rate-limit <n>', 'requests per minute per key (default: SOUK_KEY_RATE_LIMIT)', wholeNumber('--rate-limit'))
  .option('--json', 'print JSON')
  .action(async (options: { name: string; kind: AccountKind; currency: string; creditLimit: string; rateLimit?: number; json?: boolean }) => {
    const currency = options.currency.toUpperCase();
    const creditLimitMinor = parseMinor(options.creditLimit, currency);
    if (creditLimitMinor === undefined || creditLimitMinor < 0) throw new Error(`--credit-limit must be a decimal amount in ${currency}`);
    const row = await withSouk((souk) => createAccount(souk.db, { name: options.name, kind: options.kind, currency, creditLimitMinor, rateLimitPerMinute: options.rateLimit }));
    print(options.json, { account_id: row.id }, `Created ${row.kind} account ${row.id} (${row.name}, ${row.currency})`);
  });

account
  .command('callback-secret')
  .description("the secret that signs deliveries to the callback_url of the account's orders (created on first use)")
  .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
  .option('--rotate', 'replace it; the old one stays valid for 24 hours')
  .option('--json', 'print JSON')
  .action(async (options: { account: number; rotate?: boolean; json?: boolean }) => {
    const secret = await withSouk((souk) => callbackSecret(webhookDeps(souk), options.account, { rotate: options.rotate }));
    print(options.json, { secret }, `Callback secret for account ${options.account}: ${secret}`);
  });

const webhook = program.command('webhook').description('webhook endpoints');
webhook
  .command('create')
  .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
  .requiredOption('--url <url>', 'where to POST events (http or https, a public address unless SOUK_WEBHOOK_ALLOW_PRIVATE=1)')
  .option('--events <list>', `comma-separated event types (default: all): ${EVENT_TYPES.join(', ')}`)
  .option('--no-include-items', 'order events leave out the delivered codes (the receiver fetches the order)')
  .option('--json', 'print JSON')
  .action(async (options: { account: number; url: string; events?: string; includeItems: boolean; json?: boolean }) => {
    const events = options.events?.split(',').map((e) => e.trim()).filter(Boolean);
    const created = await withSouk((souk) =>
      createWebhookEndpoint(webhookDeps(souk), options.account, { url: options.url, events, includeItems: options.includeItems }),
    );
    print(options.json, { endpoint_id: created.endpoint.id, secret: created.secret }, `Endpoint ${created.endpoint.id} → ${created.endpoint.url}\nSecret (shown once): ${created.secret}`);
  });
webhook
  .command('list')
  .option('--account <id>', 'only this account', wholeNumber('--account'))
  .option('--json', 'print JSON')
  .action(async (options: { account?: number; json?: boolean }) => {
    const endpoints = await withSouk((souk) => listWebhookEndpoints(souk.db, options.account));
    const lines = endpoints.map((e) => `${e.id}  account ${e.account_id}  ${e.url}  ${e.events.join(',') || 'all events'}${e.enabled ? '' : '  DISABLED'}`);
    print(options.json, { endpoints }, lines.join('\n') || 'No webhook endpoints.');
  });
webhook
  .command('rotate-secret')
  .argument('<endpoint-id>', 'the endpoint id (we_…)')
  .option('--json', 'print JSON')
  .action(async (endpointId: string, options: { json?: boolean }) => {
    const secret = await withSouk((souk) => rotateWebhookSecret(webhookDeps(souk), endpointId));
    print(options.json, { endpoint_id: endpointId, secret }, `New secret (shown once; the old one stays valid for 24 hours): ${secret}`);
  });
for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
  webhook
    .command(name)
    .description(enabled ? 'send to this endpoint again (deliveries waiting for it go out)' : 'stop sending to this endpoint: new events skip it, queued deliveries wait until it is enabled')
    .argument('<endpoint-id>', 'the endpoint id (we_…)')
    .option('--json', 'print JSON')
    .action(async (endpointId: string, options: { json?: boolean }) => {
      const endpoint = await withSouk((souk) => updateWebhookEndpoint(webhookDeps(souk), endpointId, { enabled }));
      print(options.json, { endpoint_id: endpoint.id, enabled: endpoint.enabled }, `Endpoint ${endpoint.id} is ${endpoint.enabled ? 'enabled' : 'disabled'}.`);
    });
}
webhook
  .command('deliveries')
  .description('recent deliveries, newest first, with their attempts')
  .option('--endpoint <id>', 'only this endpoint')
  .option('--account <id>', 'only this account', wholeNumber('--account'))
  .addOption(new Option('--status <status>', 'only deliveries in this state').choices([...DELIVERY_STATUSES]))
  .option('--limit <n>', 'how many (default 50, at most 500)', wholeNumber('--limit'))
  .option('--json', 'print JSON')
  .action(async (options: { endpoint?: string; account?: number; status?: DeliveryStatus; limit?: number; json?: boolean }) => {
    const deliveries = await withSouk((souk) =>
      listDeliveries(souk.db, { endpointId: options.endpoint, accountId: options.account, status: options.status, limit: Math.min(options.limit ?? 50, 500) }),
    );
    const lines = deliveries.map(
      (d) => `${d.id}  ${d.status.padEnd(9)}  ${d.type}  ${d.event_id}  ${d.endpoint_id ?? d.callback_url}  tries ${d.attempts}${d.last_status_code ? `  last ${d.last_status_code}` : ''}${d.last_error ? `  ${d.last_error}` : ''}`,
    );
    print(options.json, { deliveries }, lines.join('\n') || 'No deliveries.');
  });
webhook
  .command('resend')
  .description("send again: one delivery (--delivery), or every failed one of an endpoint (--endpoint)")
  .option('--delivery <id>', 'a delivery id (delivered, acked or dead)', wholeNumber('--delivery'))
  .option('--endpoint <id>', "every dead or still-failing delivery of this endpoint")
  .option('--json', 'print JSON')
  .action(async (options: { delivery?: number; endpoint?: string; json?: boolean }) => {
    if ((options.delivery === undefined) === (options.endpoint === undefined)) throw new Error('give either --delivery ID or --endpoint ID');
    if (options.delivery !== undefined) {
      const deliveryId = options.delivery;
      await withSouk((souk) => resendDelivery(souk.db, deliveryId));
      print(options.json, { resent: 1 }, `Delivery ${deliveryId} will be sent again.`);
      return;
    }
    const endpointId = options.endpoint!;
    const resent = await withSouk((souk) => resendFailedDeliveries(souk.db, endpointId));
    print(options.json, { resent }, `${resent} failed deliveries of ${endpointId} will be sent again.`);
  });
webhook
  .command('test')
  .description('send a webhook.test event to this endpoint')
  .argument('<endpoint-id>', 'the endpoint id (we_…)')
  .option('--json', 'print JSON')
  .action(async (endpointId: string, options: { json?: boolean }) => {
    const eventId = await withSouk((souk) => sendTestEvent(souk.db, endpointId));
    print(options.json, { event_id: eventId }, `Test event ${eventId} queued for ${endpointId}.`);
  });

const key = program.command('key').description('API keys');
key
  .command('create')
  .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
  .option('--signed', 'give the key a signing secret')
  .option('--require-signature', 'refuse unsigned requests made with this key (implies --signed)')
  .option('--scopes <list>', 'comma-separated scopes (default: by account kind)')
  .option('--label <text>', 'a note to tell keys apart')
  .option('--json', 'print JSON')
  .action(async (options: { account: number; signed?: boolean; requireSignature?: boolean; scopes?: string; label?: string; json?: boolean }) => {
    const created = await withSouk((souk) =>
      createApiKey(souk.db, souk.box, {
        accountId: options.account,
        signed: options.signed,
        requireSignature: options.requireSignature,
        scopes: options.scopes?.split(',').map((s) => s.trim()).filter(Boolean),
        label: options.label,
      }),
    );
    const json: Record<string, unknown> = { key_id: created.keyId, api_key: created.apiKey };
    if (created.signingSecret) json.signing_secret = created.signingSecret;
    const human = [`Key ${created.keyId} (shown once): ${created.apiKey}`];
    if (created.signingSecret) human.push(`Signing secret (shown once): ${created.signingSecret}`);
    print(options.json, json, human.join('\n'));
  });
key
  .command('revoke')
  .argument('<key>', 'the key id (key_…), or the key itself (sk_live_…)')
  .option('--json', 'print JSON')
  .action(async (reference: string, options: { json?: boolean }) => {
    const revoked = await withSouk(async (souk) => revokeApiKey(souk, reference.startsWith('sk_live_') ? await apiKeyIdOf(souk.db, reference) : reference));
    print(options.json, { key_id: revoked.key_id, revoked_at: revoked.revoked_at }, `Revoked ${revoked.key_id}`);
  });
key
  .command('list')
  .option('--account <id>', 'only this account', wholeNumber('--account'))
  .option('--json', 'print JSON')
  .action(async (options: { account?: number; json?: boolean }) => {
    const keys = await withSouk((souk) => listApiKeys(souk.db, options.account));
    const lines = keys.map((k) => `${k.key_id}  ${k.prefix}…  account ${k.account_id}  ${k.scopes.join(',')}${k.revoked_at ? '  REVOKED' : ''}`);
    print(options.json, { keys }, lines.join('\n') || 'No keys.');
  });

program
  .command('user')
  .description('logins for the console and the token endpoint')
  .command('create')
  .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
  .requiredOption('--username <name>', 'login name')
  .option('--password <password>', 'at least 10 characters (default: generated and printed once)')
  .option('--json', 'print JSON')
  .action(async (options: { account: number; username: string; password?: string; json?: boolean }) => {
    const password = options.password ?? randomBase62(12);
    const user = await withSouk((souk) => createUser(souk.db, { accountId: options.account, username: options.username, password }));
    const json: Record<string, unknown> = { user_id: user.id, username: user.username };
    if (!options.password) json.password = password;
    print(options.json, json, `Created user ${user.username}${options.password ? '' : ` with password ${password} (shown once)`}`);
  });

program
  .command('category')
  .description('catalog categories')
  .command('create')
  .requiredOption('--slug <slug>', 'URL name, e.g. gift-cards')
  .requiredOption('--name <name>', 'English name')
  .option('--name-ar <name>', 'Arabic name')
  .option('--name-zh <name>', 'Chinese name')
  .option('--parent <slug>', 'parent category slug')
  .option('--json', 'print JSON')
  .action(async (options: { slug: string; name: string; nameAr?: string; nameZh?: string; parent?: string; json?: boolean }) => {
    const name = { en: options.name, ...(options.nameAr ? { ar: options.nameAr } : {}), ...(options.nameZh ? { zh: options.nameZh } : {}) };
    const category = await withSouk((souk) => createCategory({ db: souk.db, bus: souk.bus }, { slug: options.slug, name, parent: options.parent ?? null }));
    print(options.json, { category_id: category.id, slug: category.slug }, `Created category ${category.id} (${category.slug})`);
  });

program
  .command('product')
  .description('catalog products')
  .command('create')
  .requiredOption('--code <code>', 'unique product code')
  .requiredOption('--name <name>', 'English name')
  .requiredOption('--price <amount>', 'unit price, e.g. 5.00')
  .option('--currency <code>', 'ISO 4217 currency', 'USD')
  .option('--min-qty <n>', 'smallest quantity per order', wholeNumber('--min-qty'))
  .option('--max-qty <n>', 'largest quantity per order (default 200)', wholeNumber('--max-qty'))
  .option('--category <slug>', 'category slug')
  .option('--type <slug>', 'category type slug')
  .option('--slug <slug>', 'URL name (default: from the code)')
  .option('--name-ar <name>', 'Arabic name')
  .option('--name-zh <name>', 'Chinese name')
  .option('--description <text>', 'English description')
  .addOption(new Option('--fulfillment <kind>', 'how orders are fulfilled').choices(['stock', 'manual', 'upstream']).default('stock'))
  .addOption(new Option('--status <status>', 'catalog status').choices(['active', 'inactive']).default('active'))
  .addOption(new Option('--stock-mode <mode>', 'unique: each code sold once; shared: one code for every buyer').choices(['unique', 'shared']).default('unique'))
  .option('--field <name...>', 'a value the buyer must give at checkout, e.g. player_id')
  .option('--json', 'print JSON')
  .action(
    async (options: {
      code: string;
      name: string;
      price: string;
      currency: string;
      minQty?: number;
      maxQty?: number;
      category?: string;
      type?: string;
      slug?: string;
      nameAr?: string;
      nameZh?: string;
      description?: string;
      fulfillment: string;
      status: string;
      stockMode: string;
      field?: string[];
      json?: boolean;
    }) => {
      const name = { en: options.name, ...(options.nameAr ? { ar: options.nameAr } : {}), ...(options.nameZh ? { zh: options.nameZh } : {}) };
      const product = await withSouk((souk) =>
        createProduct(
          { db: souk.db, bus: souk.bus },
          {
            code: options.code,
            slug: options.slug,
            name,
            description: options.description,
            price: options.price,
            currency: options.currency,
            min_quantity: options.minQty,
            max_quantity: options.maxQty,
            category: options.category,
            type: options.type,
            fulfillment: options.fulfillment,
            status: options.status,
            stock_mode: options.stockMode,
            fields: options.field,
          },
        ),
      );
      print(options.json, { product_id: product.id, code: product.code }, `Created product ${product.id} (${product.code})`);
    },
  );

program
  .command('stock')
  .description('stock codes')
  .command('import')
  .requiredOption('--product <ref>', 'product id, code or slug')
  .argument('<file>', 'one code per line; - reads standard input')
  .option('--batch <name>', 'a label for this delivery of codes')
  .option('--json', 'print JSON')
  .action(async (file: string, options: { product: string; batch?: string; json?: boolean }) => {
    const source = await openLines(file);
    const bar = progressBar(source.totalBytes);
    try {
      const result = await withSouk((souk) =>
        importStock({ db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect }, options.product, source.lines, {
          batch: options.batch ?? path.basename(file === '-' ? 'stdin' : file),
          onProgress: (p) => bar.update(source.bytesRead(), p),
        }),
      );
      bar.stop();
      print(options.json, { ...result }, `Imported ${result.imported}, skipped ${result.duplicates} duplicate(s) and ${result.blank} blank line(s).`);
    } finally {
      bar.stop();
    }
  });

program
  .command('wallet')
  .description('wallets')
  .command('topup')
  .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
  .requiredOption('--amount <amount>', 'decimal amount, e.g. 100.00')
  .option('--currency <code>', "wallet currency (default: the account's)")
  .option('--memo <text>', 'a note for the ledger')
  .option('--json', 'print JSON')
  .action(async (options: { account: number; amount: string; currency?: string; memo?: string; json?: boolean }) => {
    const wallet = await withSouk(async (souk) => {
      const account = await getAccount(souk.db, options.account);
      const currency = (options.currency ?? account.currency).toUpperCase();
      const amountMinor = parseMinor(options.amount, currency);
      if (amountMinor === undefined || amountMinor <= 0) throw new Error(`--amount must be a positive decimal amount in ${currency}`);
      return topUpWallet(souk.db, { accountId: account.id, amountMinor, currency, memo: options.memo, actor: 'cli' });
    });
    const balance = formatMinor(wallet.balance_minor, wallet.currency);
    print(options.json, { wallet_id: wallet.id, balance: Number(balance), currency: wallet.currency }, `Wallet ${wallet.id}: ${balance} ${wallet.currency}`);
  });

const coupon = program.command('coupon').description('coupons: a percentage or an amount off an order');
const couponTerms = (c: Coupon) =>
  `${c.code}: ${c.kind === 'percent' ? `${c.percent}% off` : `${c.amount} ${c.currency} off`}${c.product_id ? ` product ${c.product_id}` : ''}, used ${c.used_count}${c.usage_limit ? `/${c.usage_limit}` : ''}, ${c.status}`;
coupon
  .command('create')
  .requiredOption('--code <code>', 'what buyers type; letters, digits, - and _')
  .option('--percent <percent>', 'percentage off, e.g. 10 or 12.5')
  .option('--amount <amount>', 'a fixed amount off (with --currency)')
  .option('--currency <code>', 'currency of --amount')
  .option('--product <ref>', 'only this product (id, code or slug)')
  .option('--usage-limit <n>', 'uses in all', wholeNumber('--usage-limit'))
  .option('--per-customer-limit <n>', 'uses per buying account', wholeNumber('--per-customer-limit'))
  .option('--starts <time>', 'valid from (ISO-8601)')
  .option('--ends <time>', 'valid until (ISO-8601)')
  .option('--json', 'print JSON')
  .action(
    async (options: { code: string; percent?: string; amount?: string; currency?: string; product?: string; usageLimit?: number; perCustomerLimit?: number; starts?: string; ends?: string; json?: boolean }) => {
      const created = await withSouk((souk) =>
        createCoupon(souk.db, {
          code: options.code,
          percent: options.percent,
          amount: options.amount,
          currency: options.currency,
          product: options.product,
          usage_limit: options.usageLimit,
          per_customer_limit: options.perCustomerLimit,
          starts_at: options.starts,
          ends_at: options.ends,
        }),
      );
      print(options.json, { coupon_id: created.id, code: created.code }, `Coupon ${couponTerms(created)}`);
    },
  );
coupon
  .command('list')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const coupons = await withSouk((souk) => listCoupons(souk.db));
    print(options.json, { coupons }, coupons.length ? coupons.map(couponTerms).join('\n') : 'No coupons.');
  });
for (const [action, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
  coupon
    .command(action)
    .argument('<code>', 'coupon code or id')
    .option('--json', 'print JSON')
    .action(async (code: string, options: { json?: boolean }) => {
      const changed = await withSouk((souk) => setCouponStatus(souk.db, code, status));
      print(options.json, { coupon_id: changed.id, code: changed.code, status: changed.status }, `Coupon ${couponTerms(changed)}`);
    });
}

const order = program.command('order').description('orders');
order
  .command('fulfil')
  .argument('<order-id>', 'the order id')
  .requiredOption('--codes <file>', 'the codes to deliver, one per line; - reads standard input')
  .option('--json', 'print JSON')
  .action(async (orderId: string, options: { codes: string; json?: boolean }) => {
    const codes: string[] = [];
    for await (const line of (await openLines(options.codes)).lines) if (line.trim()) codes.push(line.trim());
    const fulfilled = await withSouk((souk) => fulfilManualOrder({ db: souk.db, dialect: souk.dialect, vault: souk.vault }, orderId, codes, 'cli'));
    print(options.json, { order_id: fulfilled.id, status: fulfilled.status, items: fulfilled.items.length }, `Order ${fulfilled.id} is ${fulfilled.status} with ${fulfilled.items.length} code(s).`);
  });
order
  .command('reject')
  .argument('<order-id>', 'the order id')
  .requiredOption('--reason <text>', 'why (the buyer sees it)')
  .option('--json', 'print JSON')
  .action(async (orderId: string, options: { reason: string; json?: boolean }) => {
    const rejected = await withSouk((souk) => rejectOrder({ db: souk.db, dialect: souk.dialect, vault: souk.vault }, orderId, 'cli', options.reason));
    print(options.json, { order_id: rejected.id, status: rejected.status }, `Order ${rejected.id} is ${rejected.status}; the wallet was refunded.`);
  });

program
  .command('doctor')
  .description('check every invariant: wallets equal their ledgers, no code sold twice, fulfilled orders paid and delivered, counters match')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const violations = await withSouk((souk) => checkInvariants(souk.db));
    if (options.json) process.stdout.write(JSON.stringify({ ok: violations.length === 0, violations }) + '\n');
    else if (!violations.length) process.stdout.write('All invariants hold.\n');
    for (const v of violations) process.stderr.write(`souk doctor: ${v.invariant}: ${v.detail}\n`);
    if (violations.length) process.exitCode = 1;
  });

program
  .command('rekey')
  .description('after a master key rotation: seal everything sealed under a previous key (SOUK_PREVIOUS_MASTER_KEYS) again under SOUK_MASTER_KEY; safe while serving, and to run again')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const result = await withSouk((souk) => rekeySealedValues(souk.db, souk.box));
    const total = Object.values(result.resealed).reduce((a, b) => a + b, 0);
    const lines = Object.entries(result.resealed).map(([column, count]) => `  ${column}: ${count}`);
    print(options.json, { key_id: result.keyId, resealed: result.resealed }, `Sealed ${total} value(s) again under master key ${result.keyId}:\n${lines.join('\n')}`);
  });

/** Lines of a file, or of standard input for "-", with how far through the file we are. */
async function openLines(file: string) {
  const stream = file === '-' ? process.stdin : createReadStream(file);
  const totalBytes = file === '-' ? undefined : (await stat(file)).size;
  let bytes = 0;
  // Nothing is read until the consumer starts iterating: the stream must not flow (and end) while
  // the database is still being opened.
  async function* lines() {
    stream.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
    yield* createInterface({ input: stream, crlfDelay: Infinity });
  }
  return { lines: lines(), totalBytes, bytesRead: () => bytes };
}

/** A progress bar on stderr (stdout stays clean for --json); silent when stderr is not a terminal. */
function progressBar(totalBytes: number | undefined) {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { stream: process.stderr, format: totalBytes ? 'importing [{bar}] {percentage}% | {imported} imported, {duplicates} duplicates' : 'importing {imported} imported, {duplicates} duplicates' },
    Presets.shades_classic,
  );
  bar.start(totalBytes ?? 0, 0, { imported: 0, duplicates: 0 });
  let stopped = false;
  return {
    update: (bytes: number, progress: { imported: number; duplicates: number }) => bar.update(totalBytes ? bytes : 0, progress),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}

function reason(error: unknown): string {
  if (error instanceof DomainError) {
    const fields = (error.details?.fields as Array<{ field: string; message: string }> | undefined) ?? [];
    // Most messages already name their fields' problems; say each one once.
    const unsaid = fields.filter((f) => !error.message.includes(f.message));
    if (!unsaid.length) return error.message;
    return `${error.message.replace(/[.:\s]+$/, '')}: ${unsaid.map((f) => `${f.field} ${f.message}`).join('; ')}.`;
  }
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`souk: ${reason(error)}\n`);
  process.exit(1);
}
