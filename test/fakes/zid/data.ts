// What the simulated Zid store holds (products, categories, orders) and how a test changes it. The
// products it makes carry the document's quirks in turn: names a string or `{en, ar}`, a null
// `sale_price`, `is_infinite`, several stocks, `status` beside or instead of `is_published`.
import {
  ORDER_STATUSES,
  type ZidCategory,
  type ZidCustomer,
  type ZidOrder,
  type ZidOrderStatus,
  type ZidPaymentStatus,
  type ZidProduct,
  type ZidText,
} from './types.js';

/** Zid's time on the wire: UTC to the second, `2024-01-15T14:30:00Z`. */
export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The English of a Zid text (the plain string when it is one). */
export function englishOf(text: ZidText): string {
  return typeof text === 'string' ? text : text.en;
}

export interface AddProductsOptions {
  /** English names are `<namePrefix> <id>` (default "Gift Card"). */
  namePrefix?: string;
  /** Every product in these categories (default: the store's categories in turn, if any). */
  categoryIds?: number[];
  /** false: plain products (string names, published, one stock, a sale price). Default true. */
  quirks?: boolean;
}

export interface NewOrder {
  products: Array<{ id: number; quantity: number }>;
  payment_status: ZidPaymentStatus;
  customer?: Partial<ZidCustomer>;
  status?: ZidOrderStatus;
  payment_method?: string;
}

export class ZidData {
  readonly products = new Map<number, ZidProduct>();
  readonly categories = new Map<number, ZidCategory>();
  readonly orders = new Map<number, ZidOrder>();
  private nextProductId = 123456;
  private nextCategoryId = 789;
  private nextOrderId = 456789;
  private orderSequence = 0;
  private made = 0;

  constructor(readonly currency = 'SAR') {}

  /** Adds `n` products, varied as Zid's are unless `quirks` is false; returns copies of them. */
  addProducts(n: number, options: AddProductsOptions = {}): ZidProduct[] {
    const made: ZidProduct[] = [];
    for (let i = 0; i < n; i++) {
      const product = this.makeProduct(this.made++, options);
      this.products.set(product.id, product);
      made.push(structuredClone(product));
    }
    return made;
  }

  private makeProduct(k: number, options: AddProductsOptions): ZidProduct {
    const quirks = options.quirks ?? true;
    const id = this.nextProductId++;
    const en = `${options.namePrefix ?? 'Gift Card'} ${id}`;
    const ar = `بطاقة هدية ${id}`;
    const i18n = quirks && k % 3 === 0;
    const price = quirks && k % 11 === 10 ? null : round2(10.99 + (k % 20) * 5);
    const salePrice = price === null || (quirks && k % 4 === 1) ? null : round2(price * 0.8);
    const infinite = quirks && k % 5 === 2;
    const stocks = infinite ? [] : quirks && k % 6 === 3 ? [{ available_quantity: 3 }, { available_quantity: 4 }] : [{ available_quantity: 10 + (k % 7) }];
    const publication: Pick<ZidProduct, 'is_published' | 'status'> = !quirks
      ? { is_published: true }
      : k % 7 === 4
        ? { is_published: false, status: 'active' }
        : k % 7 === 5
          ? { status: 'draft' }
          : k % 7 === 6
            ? { status: 'published' }
            : { is_published: k % 13 !== 12 };
    const categoryIds = options.categoryIds ?? [...this.categories.keys()];
    const categoryId = categoryIds.length ? categoryIds[k % categoryIds.length] : undefined;
    const category = categoryId === undefined ? undefined : this.categories.get(categoryId);
    const hasVariants = quirks && k % 8 === 7;
    const now = timestamp();
    return {
      id,
      name: i18n ? { en, ar } : en,
      short_description: i18n ? { en: `${en}, delivered by e-mail`, ar: `${ar}، تصل بالبريد` } : `${en}, delivered by e-mail`,
      description: i18n ? { en: `<p>${en}: a code to redeem online.</p>`, ar: `<p>${ar}: رمز يستبدل عبر الإنترنت.</p>` } : `<p>${en}: a code to redeem online.</p>`,
      price,
      sale_price: salePrice,
      compare_price: price,
      currency: this.currency,
      sku: `SKU-${id}`,
      ...publication,
      is_infinite: infinite,
      quantity: infinite ? null : stocks.reduce((sum, s) => sum + s.available_quantity, 0),
      stocks,
      images: [{ url: `https://media.zid.store/simulator/${id}.jpg`, alt: en }],
      categories: category ? [{ id: category.id, name: category.name }] : [],
      slug: `gift-card-${id}`,
      created_at: now,
      updated_at: now,
      options: hasVariants ? [{ id: id * 10, name: 'Value', values: ['50', '100'] }] : [],
      variants: hasVariants
        ? ['50', '100'].map((value, at) => ({
            id: id * 10 + at + 1,
            sku: `SKU-${id}-${value}`,
            name: { en: `${en} ${value}`, ar: `${ar} ${value}` },
            price: Number(value),
            sale_price: null,
            quantity: 5,
            is_infinite: false,
          }))
        : [],
      metadata: { seo_title: en },
    };
  }

  /** Adds or replaces a product (a new id when none is given) and marks it updated now; returns a copy. */
  upsertProduct(change: Partial<ZidProduct>): ZidProduct {
    const existing = change.id === undefined ? undefined : this.products.get(change.id);
    const base = existing ?? this.makeProduct(0, { quirks: false });
    if (change.id !== undefined && !existing) this.nextProductId = Math.max(this.nextProductId, change.id + 1);
    const product: ZidProduct = { ...base, ...structuredClone(change), id: change.id ?? base.id, updated_at: timestamp() };
    this.products.set(product.id, product);
    return structuredClone(product);
  }

  removeProduct(id: number): boolean {
    return this.products.delete(id);
  }

  /** Adds a category (a new id when none is given); returns a copy. */
  addCategory(category: Partial<ZidCategory> & { name: string }): ZidCategory {
    const id = category.id ?? this.nextCategoryId++;
    this.nextCategoryId = Math.max(this.nextCategoryId, id + 1);
    const made: ZidCategory = {
      id,
      name: category.name,
      slug: category.slug ?? (category.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || `category-${id}`),
      description: category.description ?? `${category.name} from the simulated store`,
      parent_id: category.parent_id ?? null,
      image: category.image === undefined ? `https://media.zid.store/simulator/category-${id}.jpg` : category.image,
    };
    this.categories.set(id, made);
    return structuredClone(made);
  }

  /** Places an order for existing products at their price (sale price, else price, else 0); returns a copy. */
  addOrder(input: NewOrder): ZidOrder {
    if (!input.products.length) throw new Error('a Zid order holds at least one product');
    const lines = input.products.map(({ id, quantity }) => {
      const product = this.products.get(id);
      if (!product) throw new Error(`the simulated store has no product ${id}`);
      if (!Number.isInteger(quantity) || quantity < 1) throw new Error(`quantity ${quantity} is not a whole number above 0`);
      return { id, name: englishOf(product.name), quantity, price: product.sale_price ?? product.price ?? 0 };
    });
    const status = input.status ?? 'new';
    if (!(status in ORDER_STATUSES)) throw new Error(`unknown order status ${status}`);
    const now = timestamp();
    const id = this.nextOrderId++;
    const order: ZidOrder = {
      id,
      order_number: `ORD-${now.slice(0, 4)}-${String(++this.orderSequence).padStart(3, '0')}`,
      status,
      payment_status: input.payment_status,
      payment_method: input.payment_method ?? (input.payment_status === 'paid' ? 'credit_card' : 'cod'),
      total: round2(lines.reduce((sum, line) => sum + line.price * line.quantity, 0)),
      currency: this.currency,
      customer: {
        name: input.customer?.name ?? 'Customer Name',
        email: input.customer?.email ?? `customer${id}@example.com`,
        phone: input.customer?.phone ?? '+966501234567',
      },
      products: lines,
      shipping: { address: '123 Street Name', city: 'Riyadh', country: 'Saudi Arabia' },
      created_at: now,
      updated_at: now,
    };
    this.orders.set(id, order);
    return structuredClone(order);
  }

  private order(id: number): ZidOrder {
    const order = this.orders.get(id);
    if (!order) throw new Error(`the simulated store has no order ${id}`);
    return order;
  }

  setPaymentStatus(orderId: number, status: ZidPaymentStatus): ZidOrder {
    const order = this.order(orderId);
    order.payment_status = status;
    order.updated_at = timestamp();
    return structuredClone(order);
  }

  setOrderStatus(orderId: number, status: ZidOrderStatus): ZidOrder {
    if (!(status in ORDER_STATUSES)) throw new Error(`unknown order status ${status}`);
    const order = this.order(orderId);
    order.status = status;
    order.updated_at = timestamp();
    return structuredClone(order);
  }

  /** A store to try Souk with: two categories, a dozen products named in English and Arabic, a paid and an unpaid order. */
  seedDemo(): void {
    const cards = this.addCategory({ name: 'Gift Cards', slug: 'gift-cards' });
    const games = this.addCategory({ name: 'Game Top-ups', slug: 'game-top-ups' });
    const demo: Array<[string, string, number, number | null, string]> = [
      ['iTunes Gift Card 50 SAR', 'بطاقة آيتونز 50 ريال', 50, null, 'ITUNES-50'],
      ['iTunes Gift Card 100 SAR', 'بطاقة آيتونز 100 ريال', 100, 95, 'ITUNES-100'],
      ['Google Play 50 SAR', 'بطاقة جوجل بلاي 50 ريال', 50, null, 'GPLAY-50'],
      ['Google Play 100 SAR', 'بطاقة جوجل بلاي 100 ريال', 100, 97, 'GPLAY-100'],
      ['PlayStation Store 50 SAR', 'بطاقة بلايستيشن 50 ريال', 50, null, 'PSN-50'],
      ['Xbox Gift Card 100 SAR', 'بطاقة إكس بوكس 100 ريال', 100, null, 'XBOX-100'],
      ['Steam Wallet 50 SAR', 'محفظة ستيم 50 ريال', 52.5, 49.99, 'STEAM-50'],
      ['Netflix 100 SAR', 'نتفليكس 100 ريال', 100, null, 'NETFLIX-100'],
      ['PUBG Mobile 660 UC', 'ببجي موبايل 660 شدة', 39.99, 35, 'PUBG-660'],
      ['Free Fire 1080 Diamonds', 'فري فاير 1080 جوهرة', 45, null, 'FF-1080'],
      ['Fortnite 1000 V-Bucks', 'فورتنايت 1000 في-باكس', 38, null, 'FN-1000'],
      ['Roblox 800 Robux', 'روبلوكس 800 روبوكس', 40, 36.5, 'ROBLOX-800'],
    ];
    demo.forEach(([en, ar, price, sale, sku], k) => {
      const category = k < 8 ? cards : games;
      this.upsertProduct({
        name: k % 4 === 3 ? en : { en, ar },
        short_description: { en: `${en}, code by e-mail`, ar: `${ar}، الرمز بالبريد` },
        description: { en: `<p>${en}</p>`, ar: `<p>${ar}</p>` },
        price,
        sale_price: sale,
        compare_price: price,
        sku,
        is_infinite: k === 7,
        stocks: k === 7 ? [] : k === 2 ? [{ available_quantity: 4 }, { available_quantity: 6 }] : [{ available_quantity: 20 }],
        quantity: k === 7 ? null : k === 2 ? 10 : 20,
        categories: [{ id: category.id, name: category.name }],
        slug: sku.toLowerCase(),
        images: [{ url: `https://media.zid.store/simulator/${sku.toLowerCase()}.jpg`, alt: en }],
        metadata: { seo_title: en },
      });
    });
    const [first, second] = [...this.products.keys()];
    if (first === undefined || second === undefined) return;
    this.addOrder({ products: [{ id: first, quantity: 1 }], payment_status: 'paid', customer: { name: 'Sara Al-Qahtani', email: 'sara@example.com' } });
    this.addOrder({ products: [{ id: second, quantity: 2 }], payment_status: 'unpaid', customer: { name: 'Omar Haddad', email: 'omar@example.com' } });
  }
}
