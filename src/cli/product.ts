// `souk product`: what the shop sells.
import { Command, Option } from 'commander';
import { createProduct, updateProduct } from '../core/catalog/index.js';
import { formatMinor } from '../core/money.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk product` to the program. */
export function registerProductCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const product = program.command('product').description('catalog products');
  product
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
    .option('--buyback-price <amount>', 'what the shop pays per code partners sell it (trade-ins), e.g. 1.50')
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
        buybackPrice?: string;
        json?: boolean;
      }) => {
        const name = { en: options.name, ...(options.nameAr ? { ar: options.nameAr } : {}), ...(options.nameZh ? { zh: options.nameZh } : {}) };
        const created = await withSouk((souk) =>
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
              buyback_price: options.buybackPrice,
            },
          ),
        );
        print(options.json, { product_id: created.id, code: created.code }, `Created product ${created.id} (${created.code})`);
      },
    );

  product
    .command('update')
    .description('change a product')
    .argument('<product>', 'product id, code or slug')
    .option('--price <amount>', 'unit price, e.g. 5.00')
    .option('--buyback-price <amount>', 'what the shop pays per code in a trade-in, e.g. 1.50; "none" stops buying it back')
    .addOption(new Option('--status <status>', 'catalog status').choices(['active', 'inactive', 'archived']))
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { price?: string; buybackPrice?: string; status?: string; json?: boolean }) => {
      const updated = await withSouk((souk) =>
        updateProduct(
          { db: souk.db, bus: souk.bus },
          reference,
          {
            ...(options.price !== undefined ? { price: options.price } : {}),
            ...(options.buybackPrice !== undefined ? { buyback_price: options.buybackPrice === 'none' ? null : options.buybackPrice } : {}),
            ...(options.status !== undefined ? { status: options.status } : {}),
          },
        ),
      );
      const buyback = updated.buyback_price_minor === null ? null : formatMinor(updated.buyback_price_minor, updated.currency);
      print(options.json, { product_id: updated.id, code: updated.code, buyback_price: buyback, currency: updated.currency }, `Updated product ${updated.id} (${updated.code})${buyback ? `; buys back at ${buyback} ${updated.currency}` : ''}`);
    });
}
