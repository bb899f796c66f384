// A reseller tops up its own wallet (issue 18 part 4): POST /api/v1/wallet/topups opens a charge
// at the gateway the method names and answers where to pay; the wallet is credited once the
// gateway confirms the payment (its notification, or Souk's lookup), with the top-up as the
// ledger entry's reference. GET /api/v1/wallet/topups/{id} follows it.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { wireTime } from '../../core/clock.js';
import { ValidationFailed } from '../../core/errors.js';
import { isCurrencyCode, parseMinor } from '../../core/money.js';
import { COINS, findWalletTopUp, requestWalletTopUp, type Coin } from '../../core/payments/index.js';
import type { TopUpView } from '../../core/payments/gateways/index.js';
import { actorOf } from '../../core/accounts/index.js';
import { needs } from '../route-policy.js';
import { apiErrorResponses, CALLER_SECURITY, WireTime } from '../schema-helpers.js';

const TopUpBody = Type.Object(
  {
    amount: Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,3})?$', description: 'What to credit the wallet, a decimal string in `currency`, e.g. "250.00".' }),
    currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3, description: "The wallet's currency; the account's own when omitted." })),
    method: Type.Unsafe<'alipay' | 'wechat' | 'crypto'>({ type: 'string', enum: ['alipay', 'wechat', 'crypto'], description: "alipay, wechat, or crypto (with coin): to the shop's own address when it has one for the coin, else through BTCPay Server." }),
    coin: Type.Optional(Type.Unsafe<Coin>({ type: 'string', enum: [...COINS], description: 'Required with crypto.' })),
  },
  { additionalProperties: false },
);
type TopUpBody = Static<typeof TopUpBody>;

export const TopUpSchema = Type.Object(
  {
    topup_id: Type.String(),
    status: Type.String({ description: 'open (waiting for the payment), partial, paid, overpaid, expired or late (paid after it expired: credited all the same).' }),
    amount: Type.String({ description: 'What the wallet is credited once paid, decimal in currency.' }),
    currency: Type.String(),
    payment: Type.Object({
      method: Type.String(),
      provider: Type.String({ description: "btcpay, alipay or wechat; crypto for the shop's own address (pay exactly `amount` of `coin` to `address`)." }),
      amount: Type.String({ description: "What the gateway charges, decimal in its currency; for the shop's own address, exactly this much of the coin." }),
      currency: Type.Optional(Type.String({ description: "The gateway's currency; absent for the shop's own address (the amount is in the coin)." })),
      received: Type.Optional(Type.String({ description: "Own address: what has arrived so far, in the coin." })),
      checkout_url: Type.Optional(Type.String({ description: 'A page to send the payer to.' })),
      qr_code: Type.Optional(Type.String({ description: 'What a QR code shows, to scan with the payment app.' })),
      coin: Type.Optional(Type.String()),
      address: Type.Optional(Type.String()),
      coin_amount: Type.Optional(Type.String()),
      uri: Type.Optional(Type.String()),
      expires_at: WireTime(),
    }),
    created_at: WireTime(),
  },
  { $id: 'TopUp', title: 'TopUp' },
);

function paymentView(p: TopUpView['payment']): Static<typeof TopUpSchema>['payment'] {
  const expires_at = wireTime(p.expiresAt);
  // The shop's own address: exactly `amount` of the coin, to `address`.
  if (!('provider' in p)) return { method: 'crypto', provider: 'crypto', amount: p.amount, received: p.received, coin: p.coin, address: p.address, uri: p.uri, expires_at };
  return {
    method: p.method,
    provider: p.provider,
    amount: p.amount,
    currency: p.currency,
    ...(p.checkoutUrl ? { checkout_url: p.checkoutUrl } : {}),
    ...(p.qrCode ? { qr_code: p.qrCode } : {}),
    ...(p.coin ? { coin: p.coin } : {}),
    ...(p.address ? { address: p.address } : {}),
    ...(p.coinAmount ? { coin_amount: p.coinAmount } : {}),
    ...(p.uri ? { uri: p.uri } : {}),
    expires_at,
  };
}

function view(topUp: TopUpView): Static<typeof TopUpSchema> {
  return { topup_id: topUp.id, status: topUp.status, amount: topUp.amount, currency: topUp.currency, payment: paymentView(topUp.payment), created_at: wireTime(topUp.createdAt) };
}

export async function topUpRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(TopUpSchema);
  app.post<{ Body: TopUpBody }>(
    '/wallet/topups',
    {
      config: { auth: needs('orders:write') },
      schema: {
        tags: ['account'],
        operationId: 'createTopUp',
        summary: 'Top up your wallet through Alipay, WeChat Pay or BTCPay',
        description:
          'Answers 201 with where to pay (`payment.checkout_url` or `payment.qr_code`); the wallet is credited once the payment service confirms the payment, ' +
          'once, the ledger entry referring to the top-up. A gateway charging another currency than the wallet converts at the shop\'s rate, rounded up. ' +
          'Errors: 400 validation, 400 payment_method_unavailable, 503 payment_unavailable (the payment service is not answering).',
        security: CALLER_SECURITY,
        body: TopUpBody,
        response: { 201: Type.Object({ ok: Type.Literal(true), topup: Type.Ref('TopUp') }), ...apiErrorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const currency = (body.currency ?? principal.accountCurrency).toUpperCase();
      if (!isCurrencyCode(currency)) throw new ValidationFailed('The top-up is not valid: currency is not a currency code.', [{ field: 'currency', message: 'an ISO 4217 code such as USD' }]);
      if (body.method === 'crypto' && !body.coin) throw new ValidationFailed('The top-up is not valid: coin is required with crypto.', [{ field: 'coin', message: 'is required when method is crypto' }]);
      const amountMinor = parseMinor(body.amount, currency);
      if (amountMinor === undefined || amountMinor <= 0) throw new ValidationFailed('The top-up is not valid: amount must be a positive amount.', [{ field: 'amount', message: `a positive amount in ${currency}` }]);
      const topUp = await requestWalletTopUp({ db: souk.db, gateways: souk.gatewayPayments, crypto: souk.config.crypto }, {
        accountId: principal.accountId,
        currency,
        amountMinor,
        method: body.method,
        ...(body.coin && body.method === 'crypto' ? { coin: body.coin } : {}),
        actor: actorOf(principal),
      });
      reply.code(201);
      return { ok: true as const, topup: view(topUp) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/wallet/topups/:id',
    {
      config: { auth: needs('account:read') },
      schema: {
        tags: ['account'],
        operationId: 'getTopUp',
        summary: 'Follow a top-up',
        description: "Another account's top-up is 404.",
        security: CALLER_SECURITY,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) }),
        response: { 200: Type.Object({ ok: Type.Literal(true), topup: Type.Ref('TopUp') }), ...apiErrorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => ({ ok: true as const, topup: view(await findWalletTopUp(souk.db, request.principal!.accountId, request.params.id)) }),
  );
}
