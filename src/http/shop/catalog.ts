// Seed 004's catalog and payment configuration: active products with one unit price (in the shop's
// currency, as checkout charges it), one product by id or slug, and which payment methods and coins
// can be used now.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { ItemNotFound } from '../../core/errors.js';
import { shopUnitPrices } from '../../core/customers/index.js';
import { COINS, PAYMENT_METHODS, paymentAvailability } from '../../core/payments/index.js';
import { SHOP } from '../route-policy.js';
import { productView, shopErrors, successObject } from './views.js';

const ProductParams = Type.Object({ idOrSlug: Type.String({ minLength: 1, maxLength: 160, description: 'The product id or its slug.' }) });

export async function catalogRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  const currency = souk.config.shopCurrency;
  app.get(
    '/products',
    {
      config: { auth: SHOP },
      schema: {
        tags: ['shop'],
        operationId: 'shopListProducts',
        summary: 'List products',
        description:
          "Every active product with a single unit price in the shop's currency (CNY unless SOUK_SHOP_CURRENCY says otherwise). " +
          "A product priced in another currency is converted at the shop's rate to its currency, rounded up per unit, exactly as an order charges it; " +
          'without such a rate it cannot be sold here and is left out.',
        security: [],
        response: { 200: successObject({ products: Type.Array(Type.Ref('ShopProduct')) }), ...shopErrors(429) },
      },
    },
    async () => {
      const products = (await souk.catalog.snapshot()).entries.map((entry) => entry.product);
      const prices = await shopUnitPrices(souk.db, products, currency);
      const listed = products.flatMap((product) => {
        const price = prices.get(product.id);
        return price === undefined ? [] : [productView(product, price)];
      });
      return { success: true, products: listed };
    },
  );

  app.get<{ Params: Static<typeof ProductParams> }>(
    '/products/:idOrSlug',
    {
      config: { auth: SHOP },
      schema: {
        tags: ['shop'],
        operationId: 'shopGetProduct',
        summary: 'Get product detail',
        description: 'By product id or slug; an unknown or inactive product, or one without a rate to the shop\'s currency, is 404.',
        security: [],
        params: ProductParams,
        response: { 200: successObject({ product: Type.Ref('ShopProduct') }), ...shopErrors(404, 429) },
      },
    },
    async (request) => {
      const snapshot = await souk.catalog.snapshot();
      const reference = request.params.idOrSlug;
      const entry = /^\d{1,15}$/.test(reference) ? snapshot.byId.get(Number(reference)) : snapshot.bySlug.get(reference);
      if (!entry) throw new ItemNotFound(reference);
      const price = (await shopUnitPrices(souk.db, [entry.product], currency)).get(entry.product.id);
      if (price === undefined) throw new ItemNotFound(reference);
      return { success: true, product: productView(entry.product, price) };
    },
  );

  const Availability = (names: readonly string[]) => Type.Array(Type.Object({ name: Type.String({ enum: [...names] }), available: Type.Boolean() }));
  app.get(
    '/payment-config',
    {
      config: { auth: SHOP },
      schema: {
        tags: ['shop'],
        operationId: 'shopPaymentConfig',
        summary: 'Payment methods and coins available now',
        description:
          'balance_cny and balance_crypto follow the shop\'s wallet checkout switch. A coin is available when the owner has set its receiving address ' +
          'and, for btc, eth, trx and bnb, a rate to or from USD updated within SOUK_CRYPTO_RATE_MAX_AGE (USDT is 1:1 with USD); crypto is available when any coin is. ' +
          'A coin is also available when BTCPay Server is configured for it (SOUK_BTCPAY_COINS); alipay and wechat are available when their gateway is configured. ' +
          'A gateway whose last check or call failed (within 10 minutes) is not offered. An order asking for an unavailable one is 400 payment_method_unavailable.',
        security: [],
        response: {
          200: successObject({
            paymentMethods: Availability(PAYMENT_METHODS),
            coins: Availability(COINS),
          }),
          ...shopErrors(429),
        },
      },
    },
    async () => {
      const availability = await paymentAvailability(souk.db, souk.config.crypto, await souk.gatewayPayments.offered());
      return {
        success: true,
        paymentMethods: PAYMENT_METHODS.map((name) => ({ name, available: availability.methods[name] })),
        coins: COINS.map((name) => ({ name, available: availability.coins[name] })),
      };
    },
  );
}
