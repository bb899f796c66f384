// `souk category`: the catalog's categories.
import type { Command } from 'commander';
import { createCategory } from '../core/catalog/index.js';
import { cliTools, print } from './tools.js';

/** Adds `souk category` to the program. */
export function registerCategoryCommand(program: Command): void {
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
}
