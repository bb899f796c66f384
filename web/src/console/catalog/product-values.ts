// The product form's values (all text, as typed) and what they become on the wire: the whole body to
// create a product, only what changed to edit one. Prices stay the decimal strings the user typed.
import type { paths } from '../../api/schema';
import { localized, TEXT_LANGUAGES, type Product, type TextLanguage } from './queries';

export type ProductBody = NonNullable<paths['/admin/api/products']['post']['requestBody']>['content']['application/json'];
export type ProductChanges = NonNullable<paths['/admin/api/products/{ref}']['patch']['requestBody']>['content']['application/json'];

export const STATUSES = ['active', 'inactive'] as const;
export const FULFILLMENTS = ['stock', 'manual', 'upstream'] as const;
export const STOCK_MODES = ['unique', 'shared'] as const;

/** A value the buyer gives at checkout (a player id …), as the form holds it. */
export interface FieldValues {
  name: string;
  label: Record<TextLanguage, string>;
  required: boolean;
  pattern: string;
  maxLength: string;
}

export interface ProductValues {
  code: string;
  slug: string;
  names: Record<TextLanguage, string>;
  descriptions: Record<TextLanguage, string>;
  price: string;
  currency: string;
  buyback: string;
  minQuantity: string;
  maxQuantity: string;
  status: string;
  fulfillment: string;
  stockMode: string;
  category: string;
  type: string;
  fields: FieldValues[];
}

const texts = (from: Record<string, string> = {}) => Object.fromEntries(TEXT_LANGUAGES.map((l) => [l, from[l] ?? ''])) as Record<TextLanguage, string>;

/** A new product's starting values. */
export function blankValues(): ProductValues {
  return {
    code: '',
    slug: '',
    names: texts(),
    descriptions: texts(),
    price: '',
    currency: '',
    buyback: '',
    minQuantity: '1',
    maxQuantity: '',
    status: 'active',
    fulfillment: 'stock',
    stockMode: 'unique',
    category: '',
    type: '',
    fields: [],
  };
}

/** A new, empty checkout field. */
export function blankField(): FieldValues {
  return { name: '', label: texts(), required: true, pattern: '', maxLength: '' };
}

/** A product as the form shows it. */
export function valuesOf(product: Product): ProductValues {
  return {
    code: product.code,
    slug: product.slug,
    names: texts(product.names),
    descriptions: texts(product.descriptions),
    price: String(product.price),
    currency: product.currency,
    buyback: product.buyback ? String(product.buyback.price) : '',
    minQuantity: String(product.min_quantity),
    maxQuantity: String(product.max_quantity),
    status: product.status,
    fulfillment: product.fulfillment,
    stockMode: product.stock_mode,
    category: product.category_id === null ? '' : String(product.category_id),
    type: product.type_id === null ? '' : String(product.type_id),
    fields: product.fields.map((f) => ({ name: f.name, label: texts(f.label), required: f.required, pattern: f.pattern ?? '', maxLength: String(f.max_length) })),
  };
}

const count = (text: string) => (text.trim() === '' ? undefined : Number(text));
const ref = (text: string) => (text === '' ? null : Number(text));

/** Checkout fields as the API takes them; a field without a label is labelled by its name there. */
function fieldsBody(fields: FieldValues[]) {
  return fields.map((f) => {
    const label = localized(f.label);
    return {
      name: f.name.trim(),
      ...(Object.keys(label).length ? { label } : {}),
      required: f.required,
      ...(f.pattern.trim() ? { pattern: f.pattern.trim() } : {}),
      ...(count(f.maxLength) !== undefined ? { max_length: count(f.maxLength) } : {}),
    };
  });
}

/** The body of POST /admin/api/products; left-out fields take the API's defaults. */
export function createBody(v: ProductValues): ProductBody {
  return {
    code: v.code.trim(),
    ...(v.slug.trim() ? { slug: v.slug.trim() } : {}),
    name: localized(v.names),
    description: localized(v.descriptions),
    price: v.price.trim(),
    ...(v.currency.trim() ? { currency: v.currency.trim() } : {}),
    ...(v.buyback.trim() ? { buyback_price: v.buyback.trim() } : {}),
    ...(count(v.minQuantity) !== undefined ? { min_quantity: count(v.minQuantity) } : {}),
    ...(count(v.maxQuantity) !== undefined ? { max_quantity: count(v.maxQuantity) } : {}),
    status: v.status as ProductBody['status'],
    fulfillment: v.fulfillment as ProductBody['fulfillment'],
    stock_mode: v.stockMode as ProductBody['stock_mode'],
    category: ref(v.category),
    type: ref(v.type),
    fields: fieldsBody(v.fields),
  };
}

const sameTexts = (a: Record<TextLanguage, string>, b: Record<TextLanguage, string>) => TEXT_LANGUAGES.every((l) => a[l].trim() === b[l].trim());

/** The body of PATCH /admin/api/products/{ref}: only the fields that differ from `before`. */
export function changesBetween(before: ProductValues, after: ProductValues): ProductChanges {
  const changes: ProductChanges = {};
  const full = createBody(after);
  if (after.code.trim() !== before.code) changes.code = full.code;
  if (after.slug.trim() !== before.slug && after.slug.trim()) changes.slug = after.slug.trim();
  if (!sameTexts(after.names, before.names)) changes.name = full.name;
  if (!sameTexts(after.descriptions, before.descriptions)) changes.description = full.description;
  if (after.price.trim() !== before.price) changes.price = full.price;
  if (after.currency.trim().toUpperCase() !== before.currency.toUpperCase()) changes.currency = after.currency.trim();
  if (after.buyback.trim() !== before.buyback) changes.buyback_price = after.buyback.trim() || null;
  if (after.minQuantity.trim() !== before.minQuantity) changes.min_quantity = count(after.minQuantity);
  if (after.maxQuantity.trim() !== before.maxQuantity) changes.max_quantity = count(after.maxQuantity);
  if (after.status !== before.status) changes.status = full.status;
  if (after.fulfillment !== before.fulfillment) changes.fulfillment = full.fulfillment;
  if (after.stockMode !== before.stockMode) changes.stock_mode = full.stock_mode;
  if (after.category !== before.category) changes.category = full.category;
  if (after.type !== before.type) changes.type = full.type;
  if (JSON.stringify(full.fields) !== JSON.stringify(fieldsBody(before.fields))) changes.fields = full.fields;
  return changes;
}
