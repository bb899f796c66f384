// Table types: The catalog: categories, their types, products and price tiers.
import type { Generated } from 'kysely';

export interface CategoriesTable {
  id: Generated<number>;
  parent_id: number | null;
  slug: string;
  name: string;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface CategoryTypesTable {
  id: Generated<number>;
  category_id: number;
  slug: string;
  name: string;
  position: number;
  created_at: string;
}

export interface ProductsTable {
  id: Generated<number>;
  code: string;
  slug: string;
  category_id: number | null;
  type_id: number | null;
  name: string;
  description: string;
  price_minor: number;
  currency: string;
  min_quantity: number;
  max_quantity: number;
  status: 'active' | 'inactive' | 'archived';
  fulfillment: 'stock' | 'upstream' | 'manual';
  fields: string;
  stock_available: number;
  stock_mode: Generated<'unique' | 'shared'>;
  /** 1: orders of it score more in the risk review (core/risk). */
  high_risk: Generated<number>;
  /** What the shop pays for one code in a trade-in, in `currency`; null: not bought back. */
  buyback_price_minor: number | null;
  created_at: string;
  updated_at: string;
}

export interface PriceTiersTable {
  name: string;
  discount_bp: number;
  updated_at: string;
}
