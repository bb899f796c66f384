// `souk product`: what the shop sells.
import { Command, Option } from 'commander';
import { createProduct } from '../core/catalog/index.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk product` to the program. */
export function registerProductCommand(program: Command): void {
  const { withSouk } = cliTools(program);
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
}
