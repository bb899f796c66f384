// Seed 004 customers top up their own balances (issue 18 part 4): POST /api/wallet/topups opens a
// charge at the gateway the payment method names and answers where to pay; the balance is
// credited once the gateway confirms it (its notification, or Souk's lookup), never on the
// buyer's word. GET /api/wallet/topups/{id} follows it.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { ValidationFailed } from '../../core/errors.js';
import { parseMinor } from '../../core/money.js';
import { COINS, findWalletTopUp, requestWalletTopUp, walletCurrencies, type Coin } from '../../core/payments/index.js';
import type { TopUpView } from '../../core/payments/gateways/index.js';
import { SHOP } from '../route-policy.js';
import { requiredCustomer } from './customer-token.js';
import { shopErrors, successObject } from './views.js';
import { WireTime } from '../schema-helpers.js';
import { wireTime } from '../../core/clock.js';

const TopUpBody = Type.Object({
  balance: Type.Unsafe<'balance_cny' | 'balance_crypto'>({ type: 'string', enum: ['balance_cny', 'balance_crypto'], description: "Which balance: balance_cny (the shop's currency) or balance_crypto (USD)." }),
  amount: Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,2})?$', description: 'What to add to the balance, a decimal string in its currency, e.g. "100.00".' }),
  paymentMethod: Type.Unsafe<'alipay' | 'wechat' | 'crypto'>({ type: 'string', enum: ['alipay', 'wechat', 'crypto'], description: "How to pay: alipay, wechat, or crypto (with coin: to the shop's own address when it has one for the coin, else through BTCPay Server); GET /api/payment-config lists what is open." }),
  coin: Type.Optional(Type.Unsafe<Coin>({ type: 'string', enum: [...COINS], description: 'Required with crypto.' })),
});
type TopUpBody = Static<typeof TopUpBody>;

export const ShopTopUpSchema = Type.Object(
  {
    id: Type.String({ description: 'The top-up id.' }),
    status: Type.String({ description: 'open (waiting for the payment), partial, paid, overpaid, expired or late (paid after it expired: credited all the same).' }),
    amount: Type.String({ description: 'What the balance is credited once paid, decimal in currency.' }),
    currency: Type.String(),
    payment: Type.Ref('ShopPayment', { description: 'Where and how much to pay.' }),
    createdAt: WireTime(),
  },
  { $id: 'ShopTopUp', title: 'ShopTopUp' },
);

function view(topUp: TopUpView) {
  return { ...topUp, createdAt: wireTime(topUp.createdAt), payment: { ...topUp.payment, expiresAt: wireTime(topUp.payment.expiresAt) } };
}

const CUSTOMER_SECURITY = [{ customerToken: [] }];

export async function shopTopUpRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.post<{ Body: TopUpBody }>(
    '/wallet/topups',
    {
      config: { auth: SHOP, bodySize: 'small' },
      schema: {
        tags: ['shop'],
        operationId: 'shopCreateTopUp',
        summary: 'Top up a balance through Alipay, WeChat Pay or BTCPay',
        description:
          'Needs the customer token. Answers where to pay (`topup.payment`: a checkout URL or QR code content); the balance is credited once the payment ' +
          'service confirms the payment, once. A gateway charging another currency than the balance converts at the shop\'s rate, rounded up. ' +
          'Errors: 400 validation_error, 400 payment_method_unavailable, 401, 503 payment_unavailable (the payment service is not answering).',
        security: CUSTOMER_SECURITY,
        body: TopUpBody,
        response: { 200: successObject({ topup: Type.Ref('ShopTopUp') }), ...shopErrors(400, 401, 429, 503) },
      },
    },
    async (request) => {
      const customer = await requiredCustomer(souk, request);
      const body = request.body;
      if (body.paymentMethod === 'crypto' && !body.coin) throw new ValidationFailed('The top-up is not valid: coin is required with crypto.', [{ field: 'coin', message: 'is required when paymentMethod is crypto' }]);
      const currency = walletCurrencies(souk.config.shopCurrency)[body.balance];
      const amountMinor = parseMinor(body.amount, currency);
      if (amountMinor === undefined || amountMinor <= 0) throw new ValidationFailed('The top-up is not valid: amount must be a positive amount.', [{ field: 'amount', message: `a positive amount in ${currency}` }]);
      const topUp = await requestWalletTopUp({ db: souk.db, gateways: souk.gatewayPayments, crypto: souk.config.crypto }, {
        accountId: customer.accountId,
        currency,
        amountMinor,
        method: body.paymentMethod,
        ...(body.coin && body.paymentMethod === 'crypto' ? { coin: body.coin } : {}),
        actor: `customer:${customer.customerId}`,
      });
      return { success: true, topup: view(topUp) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/wallet/topups/:id',
    {
      config: { auth: SHOP },
      schema: {
        tags: ['shop'],
        operationId: 'shopGetTopUp',
        summary: 'Follow a top-up',
        description: 'Needs the customer token; another customer\'s top-up is 404.',
        security: CUSTOMER_SECURITY,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) }),
        response: { 200: successObject({ topup: Type.Ref('ShopTopUp') }), ...shopErrors(401, 404, 429) },
      },
    },
    async (request) => {
      const customer = await requiredCustomer(souk, request);
      return { success: true, topup: view(await findWalletTopUp(souk.db, customer.accountId, request.params.id)) };
    },
  );
}
