// `souk provider`: the upstream providers Souk buys from: add one, see its balance and catalog,
// import products with its markup, sync them, turn it off and on, and settle a stuck order.
// Credentials go in but never come out: nothing here prints a key, secret or password.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { orderDepsOf } from '../app.js';
import { loadOrderDetail } from '../core/orders/index.js';
import { DIALECT_NAMES, listProviders, providerView, type ProviderInput, type UpstreamProduct } from '../core/upstream/index.js';
import { cliTools, print, wholeNumber } from './tools.js';

interface AddOptions {
  name: string;
  url: string;
  dialect: string;
  key?: string;
  keyFile?: string;
  secret?: string;
  secretFile?: string;
  username?: string;
  password?: string;
  passwordFile?: string;
  currency?: string;
  sellCurrency?: string;
  markupPercent?: string;
  markupFixed?: string;
  rounding?: string;
  syncInterval?: number;
  json?: boolean;
}

/** A credential given on the command line or read from a file (trimmed); refuses both, and an empty or unreadable file. */
function credential(flag: string, given: string | undefined, file: string | undefined): string | undefined {
  if (given !== undefined && file !== undefined) throw new Error(`give --${flag} or --${flag}-file, not both`);
  if (file === undefined) return given;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`--${flag}-file ${file} cannot be read (${code})`);
  }
  if (!text) throw new Error(`--${flag}-file ${file} is empty`);
  return text;
}

/** What `add` gives the core: the flags, credentials read from their files. */
function providerInput(options: AddOptions): ProviderInput {
  const key = credential('key', options.key, options.keyFile);
  const secret = credential('secret', options.secret, options.secretFile);
  const password = credential('password', options.password, options.passwordFile);
  if ((options.username === undefined) !== (password === undefined)) throw new Error('give --username and --password (or --password-file) together');
  return {
    name: options.name,
    url: options.url,
    dialect: options.dialect,
    ...(key !== undefined ? { key } : {}),
    ...(secret !== undefined ? { secret } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(options.currency !== undefined ? { currency: options.currency } : {}),
    ...(options.sellCurrency !== undefined ? { sellCurrency: options.sellCurrency } : {}),
    ...(options.markupPercent !== undefined ? { markupPercent: options.markupPercent } : {}),
    ...(options.markupFixed !== undefined ? { markupFixed: options.markupFixed } : {}),
    ...(options.rounding !== undefined ? { rounding: options.rounding } : {}),
    ...(options.syncInterval !== undefined ? { syncIntervalSeconds: options.syncInterval } : {}),
  };
}

/** A product of the upstream's catalog as the CLI lists it: its English name, else its first. */
function listing(product: UpstreamProduct) {
  return {
    upstream_ref: product.ref,
    name: product.name.en ?? Object.values(product.name)[0] ?? product.ref,
    price: product.price,
    currency: product.currency,
    stock: product.stock,
    status: product.status,
  };
}

const ADD_HELP = `
The base URL is the provider's API as its dialect expects it:
  souk, store  https://provider.example/api/v1
  partner      https://provider.example/v1
  shop         https://provider.example/api
  smm          the panel's whole endpoint, e.g. https://panel.example/api/v2
A provider on this machine or a private network needs SOUK_UPSTREAM_ALLOW_PRIVATE=1.

Credentials are sealed with the master key and never shown again. A secret typed on the command
line stays in your shell history: --key-file, --secret-file and --password-file read it from a
file instead (trimmed).`;

/** Adds `souk provider` to the program. */
export function registerProviderCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const providerId = wholeNumber('the provider id');
  const provider = program.command('provider').description('upstream providers: catalogs imported with a markup, orders bought there');
  provider
    .command('add')
    .description('add a provider → {"provider_id"}')
    .requiredOption('--name <name>', 'what the shop calls it (unique)')
    .requiredOption('--url <base>', "the provider's API base URL (see below)")
    .requiredOption('--dialect <dialect>', `the API it speaks: ${DIALECT_NAMES.join(', ')}`)
    .option('--key <key>', 'the API key it gave us (an sk_live_ key, the smm panel key …; every dialect but shop needs one)')
    .option('--key-file <path>', 'read the API key from this file')
    .option('--secret <secret>', 'partner: the signing secret; souk: the callback secret its callbacks are signed with')
    .option('--secret-file <path>', 'read the secret from this file')
    .option('--username <username>', "shop: the customer's e-mail (it buys from a customer balance)")
    .option('--password <password>', "the login's password")
    .option('--password-file <path>', 'read the password from this file')
    .option('--currency <code>', "the provider's currency (default USD)")
    .option('--sell-currency <code>', 'what imported products are sold in (default: the provider\'s currency; needs an exchange rate)')
    .option('--markup-percent <percent>', 'added to the cost, e.g. 12.5 (default 0)')
    .option('--markup-fixed <amount>', 'added per unit after the percent, in the sell currency (default 0)')
    .option('--rounding <step>', 'prices are rounded up to a multiple of this, e.g. 0.05 or 1 (default 0.01)')
    .option('--sync-interval <seconds>', 'how often prices, stock and status are synced, 10 to 86400 (default 300)', wholeNumber('--sync-interval'))
    .option('--json', 'print JSON')
    .addHelpText('after', ADD_HELP)
    .action(async (options: AddOptions) => {
      const input = providerInput(options);
      const row = await withSouk((souk) => souk.upstream.add(input));
      print(options.json, { provider_id: row.id }, `Added provider ${row.id} (${row.name}, ${row.dialect} at ${row.base_url}).`);
    });
  provider
    .command('list')
    .description('the providers, with what their last ping saw (never their credentials)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const providers = (await withSouk((souk) => listProviders(souk.db))).map(providerView);
      const lines = providers.map(
        (p) =>
          `${p.provider_id}  ${p.name}  ${p.dialect}  ${p.url}  ${p.currency}→${p.sell_currency} +${p.markup_percent}% +${p.markup_fixed}  ${p.reachability}` +
          `${p.balance !== null ? `  balance ${p.balance} ${p.currency}` : ''}${p.enabled ? '' : '  DISABLED'}`,
      );
      print(options.json, { providers }, lines.join('\n') || 'No providers.');
    });
  provider
    .command('ping')
    .description('ask the provider now: reachable or not, how fast, our balance there')
    .argument('<provider-id>', 'the provider id', providerId)
    .option('--json', 'print JSON')
    .action(async (id: number, options: { json?: boolean }) => {
      const ping = await withSouk((souk) => souk.upstream.ping(id));
      const human = ping.reachable
        ? `Provider ${id} answered in ${ping.latency_ms} ms${ping.balance !== null ? `; our balance there is ${ping.balance} ${ping.currency}` : ''}.`
        : `Provider ${id} did not answer well (${ping.latency_ms} ms): ${ping.error ?? 'no answer'}`;
      print(options.json, { ...ping }, human);
    });
  provider
    .command('balance')
    .description('our balance at the provider, asked now → {"provider_id", "balance", "currency"}')
    .argument('<provider-id>', 'the provider id', providerId)
    .option('--json', 'print JSON')
    .action(async (id: number, options: { json?: boolean }) => {
      const balance = await withSouk((souk) => souk.upstream.balance(id));
      print(options.json, { ...balance }, `Our balance at provider ${id}: ${balance.balance} ${balance.currency}`);
    });
  provider
    .command('products')
    .description("the provider's whole catalog, imported or not")
    .argument('<provider-id>', 'the provider id', providerId)
    .option('--json', 'print JSON')
    .action(async (id: number, options: { json?: boolean }) => {
      const products = (await withSouk((souk) => souk.upstream.products(id))).map(listing);
      const lines = products.map((p) => `${p.upstream_ref}  ${p.name}  ${p.price} ${p.currency}  stock ${p.stock ?? 'unlimited'}  ${p.status}`);
      print(options.json, { products }, lines.join('\n') || 'The provider lists no products.');
    });
  provider
    .command('import')
    .description("make the provider's products ours, priced with its markup → {\"imported\": [{\"product_id\", \"code\", \"upstream_ref\"}]}")
    .argument('<provider-id>', 'the provider id', providerId)
    .option('--ref <upstream-ref>', 'the product to import, as `souk provider products` lists it')
    .option('--code <local-code>', 'the code it gets here (default up<provider id>-<ref>); only with --ref')
    .option('--all', 'import every product the provider lists')
    .option('--json', 'print JSON')
    .action(async (id: number, options: { ref?: string; code?: string; all?: boolean; json?: boolean }) => {
      if ((options.ref === undefined) === !options.all) throw new Error('give either --ref UPSTREAM_REF (with --code LOCAL_CODE if you like) or --all');
      if (options.code !== undefined && options.ref === undefined) throw new Error('--code names the product given by --ref; it does not go with --all');
      const refs = options.ref === undefined ? 'all' : [{ ref: options.ref, ...(options.code !== undefined ? { code: options.code } : {}) }];
      const imported = await withSouk((souk) => souk.upstream.import(id, refs));
      const lines = imported.map((p) => `${p.upstream_ref} → product ${p.product_id} (${p.code})`);
      print(options.json, { imported }, lines.join('\n') || 'Nothing to import.');
    });
  provider
    .command('sync')
    .description("bring the imported products' price, stock and status up to date now")
    .argument('<provider-id>', 'the provider id', providerId)
    .option('--json', 'print JSON')
    .action(async (id: number, options: { json?: boolean }) => {
      const report = await withSouk((souk) => souk.upstream.sync(id));
      print(
        options.json,
        { ...report },
        `Provider ${id} lists ${report.listed} product(s): ${report.updated} repriced, ${report.paused} taken off sale, ${report.resumed} back on sale.`,
      );
    });
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    provider
      .command(name)
      .description(enabled ? 'buy from this provider and sync it again' : 'stop buying from this provider and syncing it: its products answer 503 until it is enabled')
      .argument('<provider-id>', 'the provider id', providerId)
      .option('--json', 'print JSON')
      .action(async (id: number, options: { json?: boolean }) => {
        const row = await withSouk((souk) => souk.upstream.setEnabled(id, enabled));
        print(options.json, { provider_id: row.id, enabled: row.enabled === 1 }, `Provider ${row.id} is ${row.enabled === 1 ? 'enabled' : 'disabled'}.`);
      });
  }
  provider
    .command('resolve')
    .description("settle an order stuck at a provider that cannot look orders up, once you have checked the provider's panel")
    .argument('<order-id>', 'the order id')
    .option('--not-bought', 'the provider has no such order: reject it here and refund the buyer (if it was bought, fulfil it with `souk order fulfil` instead)')
    .option('--json', 'print JSON')
    .action(async (orderId: string, options: { notBought?: boolean; json?: boolean }) => {
      if (!options.notBought) throw new Error('say what you found at the provider: --not-bought (if it was bought, use `souk order fulfil` with its codes)');
      const status = await withSouk(async (souk) => {
        await souk.upstream.resolveNotBought(orderId, 'cli');
        const orders = orderDepsOf(souk);
        return (await loadOrderDetail(orders.db, orders.vault, orderId, 'masked')).status;
      });
      print(options.json, { order_id: orderId, status }, `Order ${orderId} is ${status}.`);
    });
}
