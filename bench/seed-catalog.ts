// A realistic catalog for the benchmark: gift cards, game top-ups and software keys in English,
// Arabic and Chinese, across regions and denominations, written in one transaction through the
// core (so names, slugs, prices and the catalog version are exactly what the shop would store).
import { DEMO_CATEGORIES } from '../src/demo/seed-demo.js';
import { openSouk } from '../src/app.js';
import { loadConfig, type Env } from '../src/config.js';
import { CATALOG_TOPIC, createCategory, createCategoryType, createProduct } from '../src/core/catalog/index.js';

type Text = { en: string; ar: string; zh: string };

interface Brand {
  code: string;
  name: Text;
  /** What one unit is, e.g. "gift card"; joined to the brand name. */
  kind: Text;
  category: string;
  type: string;
  /** Game top-ups ask for the player's id at checkout. */
  playerId?: boolean;
}

interface Region {
  code: string;
  currency: string;
  name: Text;
}

// The demo's categories, plus an entertainment type for streaming vouchers.
const CATEGORIES = DEMO_CATEGORIES.map((category) =>
  category.slug === 'gift-cards' ? { ...category, types: [...category.types, { slug: 'entertainment', name: { en: 'Entertainment', ar: 'الترفيه', zh: '娱乐' } }] } : category,
);

const GIFT_CARD: Text = { en: 'gift card', ar: 'بطاقة هدايا', zh: '礼品卡' };
const TOP_UP: Text = { en: 'top-up', ar: 'شحن رصيد', zh: '充值' };
const LICENCE: Text = { en: 'licence key', ar: 'مفتاح ترخيص', zh: '许可证密钥' };
const DENOMINATIONS = [10, 15, 20, 25, 50, 75, 100, 150, 200, 500];

const BRANDS: Brand[] = [
  { code: 'APPSTORE', name: { en: 'App Store', ar: 'آب ستور', zh: 'App Store' }, kind: GIFT_CARD, category: 'gift-cards', type: 'app-stores' },
  { code: 'PLAY', name: { en: 'Google Play', ar: 'جوجل بلاي', zh: 'Google Play' }, kind: GIFT_CARD, category: 'gift-cards', type: 'app-stores' },
  { code: 'AMAZON', name: { en: 'Amazon', ar: 'أمازون', zh: '亚马逊' }, kind: GIFT_CARD, category: 'gift-cards', type: 'shopping' },
  { code: 'NOON', name: { en: 'Noon', ar: 'نون', zh: 'Noon' }, kind: GIFT_CARD, category: 'gift-cards', type: 'shopping' },
  { code: 'NETFLIX', name: { en: 'Netflix', ar: 'نتفليكس', zh: '奈飞' }, kind: GIFT_CARD, category: 'gift-cards', type: 'entertainment' },
  { code: 'SPOTIFY', name: { en: 'Spotify Premium', ar: 'سبوتيفاي بريميوم', zh: 'Spotify 高级版' }, kind: GIFT_CARD, category: 'gift-cards', type: 'entertainment' },
  { code: 'STEAM', name: { en: 'Steam wallet', ar: 'محفظة ستيم', zh: 'Steam 钱包' }, kind: TOP_UP, category: 'game-top-ups', type: 'pc-console' },
  { code: 'PSN', name: { en: 'PlayStation Store', ar: 'متجر بلايستيشن', zh: 'PlayStation 商店' }, kind: GIFT_CARD, category: 'game-top-ups', type: 'pc-console' },
  { code: 'XBOX', name: { en: 'Xbox', ar: 'إكس بوكس', zh: 'Xbox' }, kind: GIFT_CARD, category: 'game-top-ups', type: 'pc-console' },
  { code: 'ESHOP', name: { en: 'Nintendo eShop', ar: 'متجر نينتندو', zh: '任天堂 eShop' }, kind: GIFT_CARD, category: 'game-top-ups', type: 'pc-console' },
  { code: 'PUBG-UC', name: { en: 'PUBG Mobile UC', ar: 'شدات ببجي موبايل', zh: '绝地求生手游 UC' }, kind: TOP_UP, category: 'game-top-ups', type: 'mobile-games', playerId: true },
  { code: 'FF-DIAMONDS', name: { en: 'Free Fire diamonds', ar: 'جواهر فري فاير', zh: '自由之火钻石' }, kind: TOP_UP, category: 'game-top-ups', type: 'mobile-games', playerId: true },
  { code: 'MLBB-DIAMONDS', name: { en: 'Mobile Legends diamonds', ar: 'ماسات موبايل ليجندز', zh: '无尽对决钻石' }, kind: TOP_UP, category: 'game-top-ups', type: 'mobile-games', playerId: true },
  { code: 'GENSHIN', name: { en: 'Genshin Impact Genesis Crystals', ar: 'كريستالات جينشين إمباكت', zh: '原神创世结晶' }, kind: TOP_UP, category: 'game-top-ups', type: 'mobile-games', playerId: true },
  { code: 'ROBLOX', name: { en: 'Roblox Robux', ar: 'روبوكس روبلوكس', zh: 'Roblox 罗布币' }, kind: TOP_UP, category: 'game-top-ups', type: 'mobile-games' },
  { code: 'FORTNITE', name: { en: 'Fortnite V-Bucks', ar: 'في-باكس فورتنايت', zh: '堡垒之夜 V币' }, kind: TOP_UP, category: 'game-top-ups', type: 'pc-console' },
  { code: 'ANTIVIRUS', name: { en: 'Antivirus Plus, 1 year', ar: 'مضاد فيروسات بلس، سنة', zh: '杀毒软件增强版 1年' }, kind: LICENCE, category: 'software-keys', type: 'security' },
  { code: 'VPN', name: { en: 'Secure VPN, 1 year', ar: 'في بي إن آمن، سنة', zh: '安全 VPN 1年' }, kind: LICENCE, category: 'software-keys', type: 'security' },
  { code: 'OFFICE', name: { en: 'Office Home 2024', ar: 'أوفيس هوم 2024', zh: 'Office 家庭版 2024' }, kind: LICENCE, category: 'software-keys', type: 'productivity' },
  { code: 'WINDOWS', name: { en: 'Windows 11 Pro', ar: 'ويندوز 11 برو', zh: 'Windows 11 专业版' }, kind: LICENCE, category: 'software-keys', type: 'productivity' },
];

const REGIONS: Region[] = [
  { code: 'US', currency: 'USD', name: { en: 'United States', ar: 'الولايات المتحدة', zh: '美国' } },
  { code: 'SA', currency: 'SAR', name: { en: 'Saudi Arabia', ar: 'السعودية', zh: '沙特阿拉伯' } },
  { code: 'AE', currency: 'AED', name: { en: 'United Arab Emirates', ar: 'الإمارات العربية المتحدة', zh: '阿联酋' } },
  { code: 'EU', currency: 'EUR', name: { en: 'Europe', ar: 'أوروبا', zh: '欧洲' } },
  { code: 'UK', currency: 'GBP', name: { en: 'United Kingdom', ar: 'المملكة المتحدة', zh: '英国' } },
  { code: 'EG', currency: 'EGP', name: { en: 'Egypt', ar: 'مصر', zh: '埃及' } },
];

export interface SeedProduct {
  code: string;
  name: Text;
  description: Text;
  price: string;
  currency: string;
  category: string;
  type: string;
  fields?: Array<{ name: string; label: Text }>;
}

/** `count` distinct products: every brand, then every region, then every denomination. */
export function benchProducts(count: number): SeedProduct[] {
  const products: SeedProduct[] = [];
  outer: for (const denomination of DENOMINATIONS) {
    for (const region of REGIONS) {
      for (const brand of BRANDS) {
        if (products.length === count) break outer;
        const amount = `${denomination} ${region.currency}`;
        products.push({
          code: `${brand.code}-${region.code}-${denomination}`,
          name: {
            en: `${brand.name.en} ${brand.kind.en} ${amount} (${region.code})`,
            ar: `${brand.kind.ar} ${brand.name.ar} ${denomination} ${region.currency} (${region.name.ar})`,
            zh: `${brand.name.zh}${brand.kind.zh} ${denomination} ${region.currency}（${region.name.zh}）`,
          },
          description: {
            en:
              `A ${brand.name.en} ${brand.kind.en} worth ${amount}, for accounts registered in ${region.name.en}. ` +
              'The code is delivered instantly after payment and does not expire. Codes are not refundable once revealed.',
            ar:
              `${brand.kind.ar} ${brand.name.ar} بقيمة ${denomination} ${region.currency}، للحسابات المسجلة في ${region.name.ar}. ` +
              'يصلك الرمز فور الدفع ولا تنتهي صلاحيته. لا يمكن استرداد قيمة الرمز بعد كشفه.',
            zh: `${brand.name.zh}${brand.kind.zh}，面值 ${amount}，适用于在${region.name.zh}注册的账户。付款后立即发送卡密，永久有效。卡密一经查看，不予退款。`,
          },
          price: `${denomination}.00`,
          currency: region.currency,
          category: brand.category,
          type: brand.type,
          ...(brand.playerId ? { fields: [{ name: 'player_id', label: { en: 'Player ID', ar: 'معرف اللاعب', zh: '玩家ID' } }] } : {}),
        });
      }
    }
  }
  if (products.length < count) throw new Error(`the bench catalog has only ${products.length} distinct products, ${count} asked`);
  return products;
}

/** Creates the categories and `count` active products in the database `env` points at. */
export async function seedBenchCatalog(env: Env, count: number): Promise<void> {
  const souk = await openSouk(loadConfig(env));
  try {
    await souk.db.transaction().execute(async (tx) => {
      const deps = { db: tx, bus: souk.bus };
      for (const category of CATEGORIES) {
        await createCategory(deps, { slug: category.slug, name: category.name });
        for (const type of category.types) await createCategoryType(deps, category.slug, type);
      }
      for (const p of benchProducts(count)) {
        await createProduct(deps, { ...p, min_quantity: 1 });
      }
    });
    souk.bus.publish(CATALOG_TOPIC);
  } finally {
    await souk.close();
  }
}
