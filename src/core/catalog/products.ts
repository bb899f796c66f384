// Products: what a shop sells. Integer id for APIs that want numbers, a unique code for humans and
// partner APIs, a unique slug for URLs. Price in minor units of its own currency.
import { queryTemplate, type Db } from '../../db/index.js';
import type { ProductRow } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { Conflict, ItemNotFound, NotFound, ValidationFailed, type FieldProblem } from '../errors.js';
import { recordProductChange, wakeDispatchers } from '../events/index.js';
import { rowIdOf } from '../ids.js';
import { formatMinor, isCurrencyCode, MAX_MINOR, parseMinor, timesQuantity } from '../money.js';
import { findCategory, SLUG_PATTERN, SLUG_RULE } from './categories.js';
import { parseLocalized, type Localized } from './i18n.js';
import { changeCatalog, type CatalogDeps } from './version.js';

export const PRODUCT_STATUSES = ['active', 'inactive', 'archived'] as const;
export const FULFILLMENTS = ['stock', 'upstream', 'manual'] as const;
export const STOCK_MODES = ['unique', 'shared'] as const;
export const DEFAULT_MAX_QUANTITY = 200;

/** A value the buyer must give at checkout, e.g. a game's player id. */
export interface CheckoutField {
  name: string;
  label: Localized;
  required: boolean;
  /** A regular expression the value must match, anchored. */
  pattern?: string;
  max_length: number;
}

export interface Product {
  id: number;
  code: string;
  slug: string;
  category_id: number | null;
  type_id: number | null;
  name: Localized;
  description: Localized;
  price_minor: number;
  currency: string;
  min_quantity: number;
  max_quantity: number;
  status: (typeof PRODUCT_STATUSES)[number];
  fulfillment: (typeof FULFILLMENTS)[number];
  fields: CheckoutField[];
  stock_available: number;
  /** unique: each code sold once; shared: one code delivered to every buyer, never counted down. */
  stock_mode: 'unique' | 'shared';
  /** What the shop pays per code in a trade-in (core/trade-ins), in `currency`; null: not bought back. */
  buyback_price_minor: number | null;
  created_at: string;
  updated_at: string;
}

export function toProduct(row: ProductRow): Product {
  return {
    ...row,
    name: JSON.parse(row.name) as Localized,
    description: JSON.parse(row.description) as Localized,
    fields: JSON.parse(row.fields) as CheckoutField[],
  };
}

export interface ProductInput {
  code?: string;
  slug?: string;
  name?: unknown;
  description?: unknown;
  /** Decimal amount in the product's currency, e.g. "5.00". */
  price?: string | number;
  /** Decimal buy-back price per code in the product's currency; null stops buying it back. */
  buyback_price?: string | number | null;
  currency?: string;
  min_quantity?: number;
  max_quantity?: number;
  status?: string;
  fulfillment?: string;
  stock_mode?: string;
  fields?: unknown;
  category?: string | number | null;
  type?: string | number | null;
}

/** A product code (also the HTTP schema's pattern). */
export const PRODUCT_CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$';
const CODE = new RegExp(PRODUCT_CODE_PATTERN);
const SLUG = new RegExp(SLUG_PATTERN);

export function slugFromCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'product';
}

function parseFields(input: unknown, problems: FieldProblem[]): CheckoutField[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) {
    problems.push({ field: 'fields', message: 'must be a list of checkout fields' });
    return [];
  }
  const seen = new Set<string>();
  return input.flatMap((raw, i): CheckoutField[] => {
    const where = `fields[${i}]`;
    const spec = typeof raw === 'string' ? { name: raw } : (raw as Record<string, unknown>);
    if (!spec || typeof spec !== 'object') {
      problems.push({ field: where, message: 'must be a field name or an object with a name' });
      return [];
    }
    const name = spec.name;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(name)) {
      problems.push({ field: `${where}.name`, message: 'lowercase letters, digits and _; starts with a letter' });
      return [];
    }
    if (seen.has(name)) problems.push({ field: `${where}.name`, message: `"${name}" is listed twice` });
    seen.add(name);
    const pattern = spec.pattern;
    if (pattern !== undefined) {
      try {
        if (typeof pattern !== 'string' || pattern.length > 200) throw new Error();
        new RegExp(pattern);
      } catch {
        problems.push({ field: `${where}.pattern`, message: 'must be a valid regular expression of at most 200 characters' });
      }
    }
    const maxLength = spec.max_length ?? 200;
    if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1 || maxLength > 2000) {
      problems.push({ field: `${where}.max_length`, message: 'must be a whole number from 1 to 2000' });
    }
    const label = parseLocalized(spec.label ?? name, `${where}.label`, problems, { required: true, max: 200 });
    return [{ name, label, required: spec.required !== false, ...(typeof pattern === 'string' ? { pattern } : {}), max_length: Number(maxLength) }];
  });
}

async function resolvePlacement(tx: Db, input: ProductInput, current: Product | undefined, problems: FieldProblem[]) {
  let categoryId = current?.category_id ?? null;
  if (input.category !== undefined) {
    categoryId = null;
    if (input.category !== null) {
      // Only "no such category" is the caller's mistake; any other failure must surface as itself.
      const found = await findCategory(tx, input.category).catch((error: unknown) => {
        if (error instanceof NotFound) return undefined;
        throw error;
      });
      if (found) categoryId = found.id;
      else problems.push({ field: 'category', message: `no category "${input.category}"` });
    }
  }
  let typeId = input.category !== undefined && input.type === undefined ? null : (current?.type_id ?? null);
  if (input.type !== undefined && input.type !== null) {
    const text = String(input.type);
    let query = tx.selectFrom('category_types').select(['id', 'category_id']);
    const id = rowIdOf(text);
    query = id !== undefined ? query.where('id', '=', id) : query.where('slug', '=', text);
    if (categoryId !== null) query = query.where('category_id', '=', categoryId);
    const type = await query.executeTakeFirst();
    if (!type) problems.push({ field: 'type', message: `no type "${text}"${categoryId !== null ? ' in that category' : ''}` });
    else {
      typeId = type.id;
      categoryId ??= type.category_id;
    }
  } else if (input.type === null) typeId = null;
  return { categoryId, typeId };
}

function checkScalars(input: ProductInput, current: Product | undefined, problems: FieldProblem[]) {
  const code = input.code ?? current?.code ?? '';
  if (!CODE.test(code)) problems.push({ field: 'code', message: 'letters, digits, . _ -; at most 120 characters' });
  const slug = input.slug ?? current?.slug ?? slugFromCode(code);
  if (!SLUG.test(slug) || slug.length > 160) problems.push({ field: 'slug', message: SLUG_RULE(160) });
  const currency = (input.currency ?? current?.currency ?? 'USD').toUpperCase();
  if (!isCurrencyCode(currency)) problems.push({ field: 'currency', message: 'must be a three-letter ISO 4217 code' });
  let priceMinor = current?.price_minor;
  if (input.price !== undefined) {
    priceMinor = parseMinor(input.price, currency);
    if (priceMinor === undefined || priceMinor < 0) problems.push({ field: 'price', message: `must be a decimal amount of zero or more with at most the decimals ${currency} allows` });
  } else if (priceMinor === undefined) problems.push({ field: 'price', message: 'is required' });
  let buybackMinor = current?.buyback_price_minor ?? null;
  if (input.buyback_price === null) buybackMinor = null;
  else if (input.buyback_price !== undefined) {
    buybackMinor = parseMinor(input.buyback_price, currency) ?? -1;
    if (buybackMinor <= 0 || buybackMinor > MAX_MINOR) problems.push({ field: 'buyback_price', message: `must be a decimal amount above zero with at most the decimals ${currency} allows` });
  } else if (buybackMinor !== null && input.currency !== undefined && input.currency.toUpperCase() !== current?.currency) {
    problems.push({ field: 'buyback_price', message: 'give the buy-back price in the new currency when changing currency' });
  }
  const minQuantity = input.min_quantity ?? current?.min_quantity ?? 1;
  const maxQuantity = input.max_quantity ?? current?.max_quantity ?? DEFAULT_MAX_QUANTITY;
  if (!Number.isInteger(minQuantity) || minQuantity < 1) problems.push({ field: 'min_quantity', message: 'must be a whole number of at least 1' });
  if (!Number.isInteger(maxQuantity) || maxQuantity < minQuantity || maxQuantity > 100_000) {
    problems.push({ field: 'max_quantity', message: 'must be a whole number from min_quantity to 100000' });
  } else if (priceMinor !== undefined && priceMinor >= 0 && timesQuantity(priceMinor, maxQuantity) === undefined) {
    // The largest order must be chargeable, or placement could only refuse it.
    problems.push({
      field: input.price !== undefined ? 'price' : 'max_quantity',
      message: `times max_quantity (${maxQuantity}) must be at most ${formatMinor(MAX_MINOR, currency)} ${currency}, the most one order can be charged`,
    });
  }
  const status = input.status ?? current?.status ?? 'active';
  if (!(PRODUCT_STATUSES as readonly string[]).includes(status)) problems.push({ field: 'status', message: `must be one of ${PRODUCT_STATUSES.join(', ')}` });
  const fulfillment = input.fulfillment ?? current?.fulfillment ?? 'stock';
  if (!(FULFILLMENTS as readonly string[]).includes(fulfillment)) problems.push({ field: 'fulfillment', message: `must be one of ${FULFILLMENTS.join(', ')}` });
  const stockMode = input.stock_mode ?? current?.stock_mode ?? 'unique';
  if (!(STOCK_MODES as readonly string[]).includes(stockMode)) problems.push({ field: 'stock_mode', message: `must be one of ${STOCK_MODES.join(', ')}` });
  if (current && stockMode !== current.stock_mode && current.stock_available > 0) {
    problems.push({ field: 'stock_mode', message: 'can only change while the product has no codes in stock' });
  }
  return {
    code,
    slug,
    currency,
    price_minor: priceMinor ?? 0,
    buyback_price_minor: buybackMinor,
    min_quantity: minQuantity,
    max_quantity: maxQuantity,
    status: status as Product['status'],
    fulfillment: fulfillment as Product['fulfillment'],
    stock_mode: stockMode as Product['stock_mode'],
  };
}

async function assertUnique(tx: Db, code: string, slug: string, exceptId: number | undefined) {
  let query = tx.selectFrom('products').select(['id', 'code', 'slug']).where((eb) => eb.or([eb('code', '=', code), eb('slug', '=', slug)]));
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  const clash = await query.executeTakeFirst();
  if (clash?.code === code) throw new Conflict(`A product with code "${code}" exists.`, 'code');
  if (clash) throw new Conflict(`A product with slug "${slug}" exists.`, 'slug');
}

export async function createProduct(deps: CatalogDeps, input: ProductInput): Promise<Product> {
  const problems: FieldProblem[] = [];
  const scalars = checkScalars(input, undefined, problems);
  const name = parseLocalized(input.name, 'name', problems, { required: true, max: 300 });
  const description = parseLocalized(input.description, 'description', problems, { required: false, max: 10_000 });
  const fields = parseFields(input.fields, problems);
  return changeCatalog(deps, async (tx) => {
    const placement = await resolvePlacement(tx, input, undefined, problems);
    if (problems.length) throw new ValidationFailed('The product is not valid.', problems);
    await assertUnique(tx, scalars.code, scalars.slug, undefined);
    const now = nowIso();
    const row = await tx
      .insertInto('products')
      .values({
        ...scalars,
        category_id: placement.categoryId,
        type_id: placement.typeId,
        name: JSON.stringify(name),
        description: JSON.stringify(description),
        fields: JSON.stringify(fields),
        stock_available: 0,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProduct(row);
  });
}

export async function updateProduct(deps: CatalogDeps, reference: string | number, input: ProductInput): Promise<Product> {
  const product = await changeCatalog(deps, async (tx) => {
    const current = await findProduct(tx, reference);
    const problems: FieldProblem[] = [];
    const scalars = checkScalars(input, current, problems);
    const currencyChanged = input.currency !== undefined && input.currency.toUpperCase() !== current.currency;
    if (currencyChanged && input.price === undefined) {
      problems.push({ field: 'price', message: 'give the price in the new currency when changing currency' });
    }
    const name = input.name === undefined ? current.name : parseLocalized(input.name, 'name', problems, { required: true, max: 300 });
    const description = input.description === undefined ? current.description : parseLocalized(input.description, 'description', problems, { required: false, max: 10_000 });
    const fields = input.fields === undefined ? current.fields : parseFields(input.fields, problems);
    const placement = await resolvePlacement(tx, input, current, problems);
    if (problems.length) throw new ValidationFailed('The product is not valid.', problems);
    await assertUnique(tx, scalars.code, scalars.slug, current.id);
    const row = await tx
      .updateTable('products')
      .set({
        ...scalars,
        category_id: placement.categoryId,
        type_id: placement.typeId,
        name: JSON.stringify(name),
        description: JSON.stringify(description),
        fields: JSON.stringify(fields),
        updated_at: nowIso(),
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // A price or status change is announced (product.updated) from this transaction.
    await recordProductChange(tx, current, row);
    return toProduct(row);
  });
  wakeDispatchers(deps.db);
  return product;
}

/** Archives a product: it leaves the catalog but stays for the orders that reference it. */
export async function archiveProduct(deps: CatalogDeps, reference: string | number): Promise<Product> {
  return updateProduct(deps, reference, { status: 'archived' });
}

// Placement looks a product up on every order: templates, built and compiled once.
const selectByCodeOrSlug = queryTemplate(['text'], (db, p) =>
  db.selectFrom('products').selectAll().where((eb) => eb.or([eb('code', '=', p.text), eb('slug', '=', p.text)])),
);
const selectByIdCodeOrSlug = queryTemplate(['text', 'id'], (db, p) =>
  db.selectFrom('products').selectAll().where((eb) => eb.or([eb('code', '=', p.text), eb('slug', '=', p.text), eb('id', '=', p.id)])),
);

/** Finds a product by id (canonical digits only, see rowIdOf), code or slug, in that order; any status. */
export async function findProduct(db: Db, reference: string | number): Promise<Product> {
  const text = String(reference);
  const id = rowIdOf(text);
  // One query for all three readings; an id wins over a code, a code over a slug.
  const rows: ProductRow[] = await (id === undefined ? selectByCodeOrSlug.run(db, { text }) : selectByIdCodeOrSlug.run(db, { text, id }));
  const row = rows.find((r) => r.id === id) ?? rows.find((r) => r.code === text) ?? rows.find((r) => r.slug === text);
  if (!row) throw new ItemNotFound(text);
  return toProduct(row);
}

/**
 * The product priced in `currency` with the largest order (price × max_quantity), any status:
 * what a new exchange rate from `currency` must be able to convert. Undefined when there is none.
 */
export async function largestOrderIn(db: Db, currency: string): Promise<{ code: string; quantity: number; amountMinor: number } | undefined> {
  const rows = await db.selectFrom('products').select(['code', 'price_minor', 'max_quantity']).where('currency', '=', currency).execute();
  let largest: { code: string; quantity: number; amount: bigint } | undefined;
  for (const row of rows) {
    // BigInt: an older row may hold a price whose largest order passes MAX_MINOR.
    const amount = BigInt(row.price_minor) * BigInt(row.max_quantity);
    if (!largest || amount > largest.amount) largest = { code: row.code, quantity: row.max_quantity, amount };
  }
  return largest && { code: largest.code, quantity: largest.quantity, amountMinor: Number(largest.amount) };
}

/** Every product, any status unless one is given, by id. */
export async function listProducts(db: Db, filter: { status?: Product['status'] } = {}): Promise<Product[]> {
  let query = db.selectFrom('products').selectAll().orderBy('id');
  if (filter.status) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(toProduct);
}

/**
 * Marks products changed (updated_at now), inside changeCatalog, when what sells them changed
 * elsewhere (their provider turned off or on): an order priced from an earlier read of them is
 * priced again (placement's batch finds it stale).
 */
export async function markProductsChanged(db: Db, productIds: readonly number[]): Promise<void> {
  if (productIds.length) await db.updateTable('products').set({ updated_at: nowIso() }).where('id', 'in', productIds).execute();
}
