// How catalog entries look on the canonical API (a superset of seed 003's product rows).
import { Type, type Static } from '@sinclair/typebox';
import { localizedText, type CatalogEntry, type Category, type CategoryType, type Localized } from '../../core/catalog/index.js';
import { minorToDecimal, type Money } from '../../core/money.js';
import { wireTime } from '../../core/clock.js';
import { WireTime } from '../schema-helpers.js';

const LocalizedSchema = Type.Record(Type.String(), Type.String(), { description: 'Text by language code: en, ar, zh …' });

const CategoryRef = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() });

export const CheckoutFieldSchema = Type.Object({
  name: Type.String({ description: 'Send the value under this name in `fields` (or `player_id` / `checkout` as seed 003 does).' }),
  label: LocalizedSchema,
  required: Type.Boolean(),
  pattern: Type.Optional(Type.String()),
  max_length: Type.Integer(),
});

export const ProductSchema = Type.Object(
  {
    item_id: Type.Integer({ description: 'The product id; use it in orders (seed 003).' }),
    id: Type.Integer(),
    code: Type.String({ description: 'Unique product code.' }),
    slug: Type.String(),
    name: Type.String({ description: 'Name in the requested language (English by default).' }),
    name_en: Type.String(),
    name_ar: Type.Union([Type.String(), Type.Null()]),
    name_zh: Type.Union([Type.String(), Type.Null()]),
    names: LocalizedSchema,
    description: Type.String(),
    descriptions: LocalizedSchema,
    price: Type.Number({
      description:
        'Unit price, a decimal number in `currency`. Anonymous callers see the list price; a caller with a key or token sees what one unit costs it: ' +
        "its tier's discount applied, converted to its account's currency at the rate its order is charged with (rounded up to the minor unit).",
    }),
    currency: Type.String({ description: "ISO 4217 code: the product's own for anonymous callers, the account's currency for a caller with a key or token." }),
    stock: Type.Integer({ description: 'Codes available now.' }),
    min_quantity: Type.Integer(),
    max_quantity: Type.Integer(),
    status: Type.String(),
    fulfillment: Type.String({ description: 'stock, upstream or manual.' }),
    stock_mode: Type.String({ description: 'unique (each code sold once) or shared (one code for every buyer; stock is not counted down).' }),
    category_id: Type.Union([Type.Integer(), Type.Null()]),
    category: Type.Union([CategoryRef, Type.Null()]),
    type_id: Type.Union([Type.Integer(), Type.Null()]),
    type: Type.Union([CategoryRef, Type.Null()]),
    fields: Type.Array(CheckoutFieldSchema, { description: 'Values the buyer must give at checkout.' }),
    buyback: Type.Union([Type.Object({ price: Type.Number({ description: 'Paid per accepted code.' }), currency: Type.String() }), Type.Null()], {
      description: "What the shop pays per code a partner sells it in a trade-in (POST /api/v1/trade-ins), in the product's own currency; null: not bought back.",
    }),
    updated_at: WireTime(),
  },
  { $id: 'Product', title: 'Product' },
);
export type ProductView = Static<typeof ProductSchema>;

export const CategorySchema = Type.Object(
  {
    id: Type.Integer(),
    slug: Type.String(),
    name: Type.String(),
    names: LocalizedSchema,
    parent_id: Type.Union([Type.Integer(), Type.Null()]),
    position: Type.Integer(),
  },
  { $id: 'Category', title: 'Category' },
);

export const CategoryTypeSchema = Type.Object(
  {
    id: Type.Integer(),
    category_id: Type.Integer(),
    slug: Type.String(),
    name: Type.String(),
    names: LocalizedSchema,
    position: Type.Integer(),
  },
  { $id: 'CategoryType', title: 'CategoryType' },
);

function ref(item: { id: number; slug: string; name: Localized } | null, lang: string) {
  return item ? { id: item.id, slug: item.slug, name: localizedText(item.name, lang) } : null;
}

/** A unit price as one caller is shown it (a reseller's, in its account's currency). */
/** A product as the public sees it (its list price), or as a reseller does when `price` is given. */
export function productView(entry: CatalogEntry, lang = 'en', price?: Money): ProductView {
  const { product } = entry;
  return {
    item_id: product.id,
    id: product.id,
    code: product.code,
    slug: product.slug,
    name: localizedText(product.name, lang),
    name_en: product.name.en ?? '',
    name_ar: product.name.ar ?? null,
    name_zh: product.name.zh ?? null,
    names: product.name,
    description: localizedText(product.description, lang),
    descriptions: product.description,
    price: price ? minorToDecimal(price.minor, price.currency) : minorToDecimal(product.price_minor, product.currency),
    currency: price ? price.currency : product.currency,
    stock: product.stock_available,
    min_quantity: product.min_quantity,
    max_quantity: product.max_quantity,
    status: product.status,
    fulfillment: product.fulfillment,
    stock_mode: product.stock_mode,
    category_id: product.category_id,
    category: ref(entry.category, lang),
    type_id: product.type_id,
    type: ref(entry.type, lang),
    fields: product.fields,
    buyback: product.buyback_price_minor === null ? null : { price: minorToDecimal(product.buyback_price_minor, product.currency), currency: product.currency },
    updated_at: wireTime(product.updated_at),
  };
}

export function categoryView(category: Category, lang = 'en') {
  return { id: category.id, slug: category.slug, name: localizedText(category.name, lang), names: category.name, parent_id: category.parent_id, position: category.position };
}

export function categoryTypeView(type: CategoryType, lang = 'en') {
  return { id: type.id, category_id: type.category_id, slug: type.slug, name: localizedText(type.name, lang), names: type.name, position: type.position };
}
