// `souk category`, `souk product` and `souk stock import`: what the shop sells, and its codes.
import path from 'node:path';
import { Command, Option } from 'commander';
import { createCategory, createProduct } from '../core/catalog/index.js';
import { importStock } from '../core/inventory/index.js';
import { openLines, progressBar } from './lines.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk category`, `souk product` and `souk stock` to the program. */
export function registerCatalogCommands(program: Command): void {
  const { withSouk } = cliTools(program);
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
}
