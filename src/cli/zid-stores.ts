// `souk zid connect|stores|sync|map|suggest`: connecting Zid stores and looking after them from
// the command line. Tokens never come out; `sync` reads the store in this process, with a progress
// bar on stderr, and goes on from where a stopped sync was.
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import type { SyncProgress } from '../core/zid/index.js';
import { cliTools, print, wholeNumber } from './tools.js';

const CLI_ACTOR = 'cli';

/** A progress bar over the store's products (then its categories and orders); silent when stderr is not a terminal. */
function syncBar() {
  if (!process.stderr.isTTY) return { update: (_: SyncProgress) => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream: process.stderr, format: 'syncing {phase} [{bar}] {value}/{total} products | {categories} categories, {orders} orders, {requests} requests' }, Presets.shades_classic);
  bar.start(0, 0, { phase: 'products', categories: 0, orders: 0, requests: 0 });
  let stopped = false;
  return {
    update: (p: SyncProgress) => {
      if (p.productsTotal !== null) bar.setTotal(p.productsTotal);
      bar.update(p.products, { phase: p.phase, categories: p.categories, orders: p.orders, requests: p.requests });
    },
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}

/** Adds the store commands to `souk zid`. */
export function registerZidStoreCommands(program: Command, zid: Command): void {
  const { withSouk } = cliTools(program);
  const storeId = wholeNumber('the store id');
  zid
    .command('connect')
    .description('a link that connects a Zid store: open it, approve Souk on Zid → {"authorize_url"}')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const answer = await withSouk((souk) => souk.zid.connect(CLI_ACTOR));
      print(options.json, { ...answer }, `Open this link within ten minutes and approve Souk on Zid (it works once):\n${answer.authorize_url}`);
    });
  zid
    .command('stores')
    .description('the connected stores → {"stores": [{"id", "zid_store_id", "name", "status", "last_sync_at"}]}')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const stores = await withSouk((souk) => souk.zid.stores());
      const lines = stores.map((s) => `${s.id}  ${s.name}  (Zid ${s.zid_store_id})  ${s.status}  last sync ${s.last_sync_at ?? 'never'}`);
      print(options.json, { stores }, lines.join('\n') || 'No Zid store is connected; run souk zid connect.');
    });
  zid
    .command('sync')
    .description('read the store now: products, categories, recent orders → {"products", "categories", "orders", "requests"}')
    .argument('<store-id>', 'the store id (souk zid stores)', storeId)
    .option('--json', 'print JSON')
    .action(async (id: number, options: { json?: boolean }) => {
      const bar = syncBar();
      try {
        const counts = await withSouk((souk) => souk.zid.sync(id, (p) => bar.update(p)));
        bar.stop();
        print(options.json, { ...counts }, `Read ${counts.products} products, ${counts.categories} categories and ${counts.orders} orders in ${counts.requests} requests.`);
      } finally {
        bar.stop();
      }
    });
  zid
    .command('map')
    .description('fulfil a Zid product from a Souk product → {"zid_product_id", "product_id", "code"}')
    .argument('<store-id>', 'the store id', storeId)
    .requiredOption('--zid-product <id>', "the Zid product's id")
    .option('--product <ref>', 'the Souk product (id, code or slug)')
    .option('--none', 'stop fulfilling this Zid product')
    .option('--json', 'print JSON')
    .action(async (id: number, options: { zidProduct: string; product?: string; none?: boolean; json?: boolean }) => {
      if ((options.product === undefined) === (options.none !== true)) throw new Error('give --product CODE, or --none to unmap');
      const mapped = await withSouk((souk) => souk.zid.map(id, options.zidProduct, options.none ? null : options.product!));
      print(options.json, { ...mapped }, mapped.code ? `Zid product ${mapped.zid_product_id} is fulfilled from ${mapped.code}.` : `Zid product ${mapped.zid_product_id} is no longer fulfilled by Souk.`);
    });
  zid
    .command('suggest')
    .description('Souk products likely to be the unmapped Zid products (by SKU, then by name in English and Arabic) → {"suggestions"}')
    .argument('<store-id>', 'the store id', storeId)
    .option('--json', 'print JSON')
    .action(async (id: number, options: { json?: boolean }) => {
      const suggestions = await withSouk((souk) => souk.zid.suggest(id));
      const lines = suggestions.map((s) => `${s.zid_product_id}  ${s.zid_name}  →  ${s.code} (${s.name})  ${s.reason === 'sku' ? 'same SKU' : `names ${Math.round(s.likeness * 100)}% alike`}`);
      print(options.json, { suggestions }, lines.join('\n') || 'Nothing to suggest: every Zid product is mapped, or none looks like a Souk product.');
    });
}
