// `--demo`: on an empty database, a small catalog (gift cards, game top-ups, software keys in
// English, Arabic and Chinese, and one product delivered by hand, so an order can be cancelled),
// an admin login, a demo reseller with an API key, a partner with a signed key (seed 000 at /v1),
// and for the shop profile a customer with balances in the shop's currency and USD, rates both ways
// and a coupon. Everything is created in one transaction, so a start that dies halfway leaves
// nothing behind.
import type { Souk } from '../app.js';
import { createAccount, createApiKey, createUser } from '../core/accounts/index.js';
import { CATALOG_TOPIC, createCategory, createCategoryType, createProduct } from '../core/catalog/index.js';
import { randomBase62 } from '../core/crypto.js';
import { importStock } from '../core/inventory/index.js';
import { creditWallet, ensureWallet, setFxRate } from '../core/wallets/index.js';
import { setReceivingAddress } from '../core/payments/index.js';
import { registerCustomer } from '../core/customers/index.js';
import { createCoupon } from '../core/coupons/index.js';

export interface DemoCredentials {
  adminUsername: string;
  adminPassword: string;
  adminKey: string;
  resellerAccountId: number;
  resellerKeyId: string;
  resellerKey: string;
  partnerAccountId: number;
  partnerKeyId: string;
  partnerKey: string;
  partnerSigningSecret: string;
  /** The product fulfilled by hand: its orders wait, so they can be cancelled. */
  manualProduct: string;
  /** The shop's currency, in which the shop customer's `balance` is. */
  shopCurrency: string;
  /** The demo's trc20_usdt receiving address: nobody's, for trying the crypto method only. */
  cryptoAddress: string;
  customerEmail: string;
  customerPassword: string;
  coupon: string;
}

const DEMO_CUSTOMER_EMAIL = 'customer@demo.souk.test';
const DEMO_COUPON = 'DEMO10';

type Name = { en: string; ar: string; zh: string };

const DEMO_CODES_PER_PRODUCT = 50;
/** 1,000.00 USD for the demo reseller and the demo partner each. */
const DEMO_FUNDS_MINOR = 100_000;
/** The catalog is priced in USD; the shop shows and charges CNY at this rate (if that is its currency). */
const DEMO_USD_TO_CNY = '7.2';
/**
 * balance_crypto pays the shop's CNY price in USD: 1/7.2 (0.13888…) cut to the 12 decimals a rate
 * may have, so a price converted there and back lands on the product's USD price, not a cent above.
 */
const DEMO_CNY_TO_USD = '0.138888888888';

/** The demo's categories and their types (the catalog benchmark builds on them too). */
export const DEMO_CATEGORIES: Array<{ slug: string; name: Name; types: Array<{ slug: string; name: Name }> }> = [
  {
    slug: 'gift-cards',
    name: { en: 'Gift cards', ar: 'بطاقات الهدايا', zh: '礼品卡' },
    types: [
      { slug: 'app-stores', name: { en: 'App stores', ar: 'متاجر التطبيقات', zh: '应用商店' } },
      { slug: 'shopping', name: { en: 'Shopping', ar: 'التسوق', zh: '购物' } },
    ],
  },
  {
    slug: 'game-top-ups',
    name: { en: 'Game top-ups', ar: 'شحن الألعاب', zh: '游戏充值' },
    types: [
      { slug: 'mobile-games', name: { en: 'Mobile games', ar: 'ألعاب الجوال', zh: '手机游戏' } },
      { slug: 'pc-console', name: { en: 'PC and console', ar: 'الكمبيوتر والكونسول', zh: '电脑和主机' } },
    ],
  },
  {
    slug: 'software-keys',
    name: { en: 'Software keys', ar: 'مفاتيح البرامج', zh: '软件密钥' },
    types: [
      { slug: 'security', name: { en: 'Security', ar: 'الحماية', zh: '安全软件' } },
      { slug: 'productivity', name: { en: 'Productivity', ar: 'الإنتاجية', zh: '办公软件' } },
    ],
  },
];

const PRODUCTS: Array<{ code: string; category: string; type: string; price: string; name: Name; description: string; fields?: string[]; min?: number; manual?: boolean }> = [
  { code: 'APPSTORE-10-USD', category: 'gift-cards', type: 'app-stores', price: '10.00', name: { en: 'App Store gift card 10 USD', ar: 'بطاقة آب ستور 10 دولار', zh: 'App Store 礼品卡 10 美元' }, description: 'Redeemable in US App Store accounts.' },
  { code: 'APPSTORE-25-USD', category: 'gift-cards', type: 'app-stores', price: '25.00', name: { en: 'App Store gift card 25 USD', ar: 'بطاقة آب ستور 25 دولار', zh: 'App Store 礼品卡 25 美元' }, description: 'Redeemable in US App Store accounts.' },
  { code: 'PLAY-10-USD', category: 'gift-cards', type: 'app-stores', price: '10.00', name: { en: 'Google Play gift card 10 USD', ar: 'بطاقة جوجل بلاي 10 دولار', zh: 'Google Play 礼品卡 10 美元' }, description: 'For US Google Play accounts.' },
  { code: 'PLAY-50-USD', category: 'gift-cards', type: 'app-stores', price: '50.00', name: { en: 'Google Play gift card 50 USD', ar: 'بطاقة جوجل بلاي 50 دولار', zh: 'Google Play 礼品卡 50 美元' }, description: 'For US Google Play accounts.' },
  { code: 'SHOP-25-USD', category: 'gift-cards', type: 'shopping', price: '25.00', name: { en: 'Online shopping voucher 25 USD', ar: 'قسيمة تسوق إلكتروني 25 دولار', zh: '网购代金券 25 美元' }, description: 'A voucher for online stores.' },
  { code: 'PUBG-UC-660', category: 'game-top-ups', type: 'mobile-games', price: '9.99', name: { en: 'PUBG Mobile 660 UC', ar: 'ببجي موبايل 660 شدة', zh: '绝地求生手游 660 UC' }, description: 'Top-up sent to your player id.', fields: ['player_id'] },
  { code: 'FF-DIAMOND-520', category: 'game-top-ups', type: 'mobile-games', price: '4.99', name: { en: 'Free Fire 520 diamonds', ar: 'فري فاير 520 جوهرة', zh: '自由之火 520 钻石' }, description: 'Top-up sent to your player id.', fields: ['player_id'] },
  { code: 'MLBB-DIAMOND-344', category: 'game-top-ups', type: 'mobile-games', price: '6.50', name: { en: 'Mobile Legends 344 diamonds', ar: 'موبايل ليجندز 344 ماسة', zh: '无尽对决 344 钻石' }, description: 'Top-up sent to your player id.', fields: ['player_id'] },
  { code: 'STEAM-20-USD', category: 'game-top-ups', type: 'pc-console', price: '20.00', name: { en: 'Steam wallet code 20 USD', ar: 'رصيد ستيم 20 دولار', zh: 'Steam 钱包充值码 20 美元' }, description: 'Adds funds to a Steam wallet.' },
  { code: 'PSN-50-USD', category: 'game-top-ups', type: 'pc-console', price: '50.00', name: { en: 'PlayStation Store 50 USD', ar: 'بطاقة بلايستيشن 50 دولار', zh: 'PlayStation 商店 50 美元' }, description: 'For US PlayStation accounts.' },
  { code: 'AV-1Y-1PC', category: 'software-keys', type: 'security', price: '14.90', name: { en: 'Antivirus, 1 year, 1 PC', ar: 'مضاد فيروسات، سنة، جهاز واحد', zh: '杀毒软件 1年 1台电脑' }, description: 'A one-year licence key.' },
  { code: 'VPN-1Y', category: 'software-keys', type: 'security', price: '29.00', name: { en: 'VPN subscription, 1 year', ar: 'اشتراك VPN لمدة سنة', zh: 'VPN 订阅 1年' }, description: 'A one-year subscription key.' },
  { code: 'OFFICE-HOME-2024', category: 'software-keys', type: 'productivity', price: '99.00', name: { en: 'Office Home 2024 key', ar: 'مفتاح أوفيس هوم 2024', zh: 'Office 家庭版 2024 密钥' }, description: 'A lifetime licence key for one PC.' },
  { code: 'WIN-11-PRO', category: 'software-keys', type: 'productivity', price: '139.00', name: { en: 'Windows 11 Pro key', ar: 'مفتاح ويندوز 11 برو', zh: 'Windows 11 专业版密钥' }, description: 'A retail licence key.', min: 1 },
  {
    code: 'CORP-VOUCHER-50',
    category: 'gift-cards',
    type: 'shopping',
    price: '50.00',
    name: { en: 'Corporate voucher 50 USD (delivered by hand)', ar: 'قسيمة شركات 50 دولار (تسليم يدوي)', zh: '企业代金券 50 美元（人工发货）' },
    description: 'Issued by the shop after the order: it waits until an admin delivers it, so it can be cancelled meanwhile.',
    manual: true,
  },
];

/** The product delivered by hand. */
export const DEMO_MANUAL_PRODUCT = 'CORP-VOUCHER-50';

/** A database that already had a catalog: the demo accounts found in it (null where there is none). */
export interface DemoExisting {
  resellerAccountId: number | null;
  partnerAccountId: number | null;
}

export type DemoOutcome = { seeded: DemoCredentials } | { existing: DemoExisting };

const RESELLER_NAME = 'Demo Reseller';
const PARTNER_NAME = 'Demo Partner';

/** Seeds the demo when the database has no products; otherwise says which demo accounts it has, for making new keys. */
/** TRON's zero address (base58check of 0x41 and 20 zero bytes): valid, and nobody's. A demo only. */
export const DEMO_CRYPTO_ADDRESS = 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb';

export async function seedDemo(souk: Souk): Promise<DemoOutcome> {
  const outcome = await souk.db.transaction().execute(async (tx): Promise<DemoOutcome> => {
    const existing = await tx.selectFrom('products').select('id').limit(1).executeTakeFirst();
    if (existing) {
      const accounts = await tx.selectFrom('accounts').select(['id', 'name', 'kind']).where('name', 'in', [RESELLER_NAME, PARTNER_NAME]).orderBy('id').execute();
      const find = (name: string, kind: string) => accounts.find((a) => a.name === name && a.kind === kind)?.id ?? null;
      return { existing: { resellerAccountId: find(RESELLER_NAME, 'reseller'), partnerAccountId: find(PARTNER_NAME, 'partner') } };
    }
    const deps = { db: tx, bus: souk.bus };
    for (const category of DEMO_CATEGORIES) {
      await createCategory(deps, { slug: category.slug, name: category.name });
      for (const type of category.types) await createCategoryType(deps, category.slug, type);
    }
    for (const p of PRODUCTS) {
      const product = await createProduct(deps, {
        code: p.code,
        name: p.name,
        description: { en: p.description },
        price: p.price,
        currency: 'USD',
        category: p.category,
        type: p.type,
        min_quantity: p.min ?? 1,
        fields: p.fields?.map((name) => ({ name, label: { en: 'Player ID', ar: 'معرف اللاعب', zh: '玩家ID' } })),
        ...(p.manual ? { fulfillment: 'manual' } : {}),
      });
      if (p.manual) continue;
      // Codes anyone can tell are not real: DEMO-…, and flagged demo in stock.
      const codes = Array.from({ length: DEMO_CODES_PER_PRODUCT }, () => `DEMO-${randomBase62(4).toUpperCase()}-${randomBase62(4).toUpperCase()}-${randomBase62(4).toUpperCase()}`);
      await importStock({ ...deps, vault: souk.vault, dialect: souk.dialect }, product.id, codes, { batch: 'demo', demo: true });
    }
    const admin = await createAccount(tx, { name: 'Shop admin', kind: 'admin', currency: 'USD' });
    const adminPassword = randomBase62(12);
    await createUser(tx, { accountId: admin.id, username: 'admin', password: adminPassword });
    const adminKey = await createApiKey(tx, souk.box, { accountId: admin.id, label: 'demo admin key' });
    const reseller = await createAccount(tx, { name: RESELLER_NAME, kind: 'reseller', currency: 'USD' });
    const resellerKey = await createApiKey(tx, souk.box, { accountId: reseller.id, label: 'demo reseller key' });
    const partner = await createAccount(tx, { name: PARTNER_NAME, kind: 'partner', currency: 'USD' });
    const partnerKey = await createApiKey(tx, souk.box, { accountId: partner.id, label: 'demo partner key', signed: true, requireSignature: true });
    if (!partnerKey.signingSecret) throw new Error('a signed key comes with a signing secret');
    for (const funded of [reseller, partner]) {
      const wallet = await ensureWallet(tx, funded.id, 'USD');
      await creditWallet(tx, wallet.id, DEMO_FUNDS_MINOR, { kind: 'topup', memo: 'demo funds', actor: 'system:demo' });
    }
    // The shop profile shows and charges prices in its currency (CNY unless SOUK_SHOP_CURRENCY
    // says otherwise); the catalog is in USD, so it needs a rate there, and one back for balance_crypto.
    const shopCurrency = souk.config.shopCurrency;
    if (shopCurrency === 'CNY') {
      await setFxRate(deps, 'USD', 'CNY', DEMO_USD_TO_CNY);
      await setFxRate(deps, 'CNY', 'USD', DEMO_CNY_TO_USD);
    }
    const customerPassword = randomBase62(12);
    const customer = await registerCustomer(tx, { email: DEMO_CUSTOMER_EMAIL, password: customerPassword }, shopCurrency);
    // A Map: with SOUK_SHOP_CURRENCY=USD both balances are one wallet, funded once.
    for (const [currency, minor] of new Map([[shopCurrency, 500_000], ['USD', 10_000]])) {
      const customerWallet = await ensureWallet(tx, customer.accountId, currency);
      await creditWallet(tx, customerWallet.id, minor, { kind: 'topup', memo: 'demo funds', actor: 'system:demo' });
    }
    await createCoupon(tx, { code: DEMO_COUPON, percent: 10 });
    // So the shop offers crypto (trc20_usdt) out of the box: TRON's zero address, which nobody
    // holds. Money sent to it is lost: a real shop sets its own (souk payment address set).
    await setReceivingAddress(tx, 'trc20_usdt', DEMO_CRYPTO_ADDRESS, 'system:demo');
    const seeded: DemoCredentials = {
      customerEmail: DEMO_CUSTOMER_EMAIL,
      customerPassword,
      coupon: DEMO_COUPON,
      adminUsername: 'admin',
      adminPassword,
      adminKey: adminKey.apiKey,
      resellerAccountId: reseller.id,
      resellerKeyId: resellerKey.keyId,
      resellerKey: resellerKey.apiKey,
      partnerAccountId: partner.id,
      partnerKeyId: partnerKey.keyId,
      partnerKey: partnerKey.apiKey,
      partnerSigningSecret: partnerKey.signingSecret,
      manualProduct: DEMO_MANUAL_PRODUCT,
      shopCurrency,
      cryptoAddress: DEMO_CRYPTO_ADDRESS,
    };
    return { seeded };
  });
  if ('seeded' in outcome) souk.bus.publish(CATALOG_TOPIC);
  return outcome;
}
