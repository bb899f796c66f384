// Crypto payments for the admin: receiving addresses per coin, confirming a transfer by hand, and
// the payments list (partial, overpaid and late ones are what needs a person). Rules: core/payments.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { orderDepsOf, type Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { COINS, PAYMENT_METHODS, coinStatuses, confirmCryptoPayment, listPayments, paymentAvailability, listReceivingAddresses, paymentRecordView, setReceivingAddress } from '../../core/payments/index.js';
import { PAYMENT_STATUSES } from '../../db/schema.js';
import { wireTime } from '../../core/clock.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, WireTime } from '../schema-helpers.js';

const ADMIN = needs('admin');

const CoinParams = Type.Object({ coin: Type.String({ enum: [...COINS], description: 'One of seed 004\'s coins.' }) });
const AddressBody = Type.Object({ address: Type.String({ minLength: 1, maxLength: 200, description: 'Your receiving address on the coin\'s chain; its format and checksum are checked.' }) });
const ConfirmBody = Type.Object({
  order: Type.String({ minLength: 1, maxLength: 40, description: 'The order number (SK-…) or id.' }),
  txid: Type.String({ minLength: 1, maxLength: 100, description: 'The transfer\'s transaction id: 64 hex digits (0x-prefixed or not).' }),
  amount: Type.String({ minLength: 1, maxLength: 60, pattern: '^[0-9]+(\\.[0-9]+)?$', description: 'What arrived, a decimal in the coin\'s units, e.g. "10.000123".' }),
});
const ListQuery = Type.Object({
  status: Type.Optional(Type.String({ enum: [...PAYMENT_STATUSES] })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

const AddressSchema = Type.Object({ coin: Type.String(), address: Type.String(), updated_by: Type.String(), updated_at: WireTime() });
const PaymentSchema = Type.Object(
  {
    id: Type.String(),
    provider: Type.String(),
    order_id: Type.Union([Type.String(), Type.Null()]),
    method: Type.String({ description: 'crypto, alipay or wechat.' }),
    purpose: Type.String({ description: 'order, or topup (a wallet top-up).' }),
    coin: Type.String({ description: 'The coin; "" for Alipay and WeChat Pay.' }),
    address: Type.String(),
    currency: Type.Union([Type.String(), Type.Null()], { description: "A gateway charge's currency (its amounts are in it); null for own-address crypto (amounts in the coin)." }),
    external_id: Type.Union([Type.String(), Type.Null()], { description: "The gateway's id for the charge; null for own-address crypto." }),
    amount: Type.String({ description: "Asked for, in the coin's units (own address) or in currency (a gateway)." }),
    received: Type.String(),
    surplus: Type.String({ description: 'Received above the amount.' }),
    status: Type.String({ description: PAYMENT_STATUSES.join(', ') }),
    txid: Type.Union([Type.String(), Type.Null()], { description: 'For an unmatched transfer (a chain watcher saw it; it pays no order): its transaction id, to credit it by hand. Null for an invoice.' }),
    refund_due: Type.Boolean({ description: 'Money arrived that no goods answer: owed back to the buyer.' }),
    refund_status: Type.Union([Type.String(), Type.Null()], { description: 'A refund through the gateway: owed (recorded, not sent), pending (asked of the gateway) or refunded; null when none.' }),
    expires_at: WireTime(),
    uri: Type.String({ description: "A payment URI (crypto), else the gateway's checkout URL or QR content." }),
    created_at: WireTime(),
    updated_at: WireTime(),
  },
  { $id: 'AdminPayment', title: 'AdminPayment' },
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const MethodsAnswer = okObject({
  methods: Type.Array(Type.Object({ name: Type.String({ description: PAYMENT_METHODS.join(', ') }), available: Type.Boolean({ description: 'Offered to buyers now (GET /api/payment-config).' }) })),
  gateways: Type.Array(
    Type.Object({
      name: Type.String({ description: 'btcpay, alipay or wechat.' }),
      method: Type.String(),
      configured: Type.Boolean({ description: 'Its environment settings are present (set where Souk starts; not changeable here).' }),
      healthy: Type.Boolean({ description: 'Configured and its last check, within ten minutes, did not fail.' }),
      currency: Nullable(Type.String()),
      coins: Type.Array(Type.String()),
      checked_at: Nullable(WireTime()),
      problem: Nullable(Type.String({ description: 'Why the last check failed; never a secret.' })),
      settings: Type.Array(Type.String(), { description: 'The environment settings that configure it (names only, never values).' }),
    }),
  ),
  coins: Type.Array(
    Type.Object({
      coin: Type.String(),
      address_set: Type.Boolean(),
      own_address_offered: Type.Boolean({ description: 'Offered through the own address now: an address and, unless USDT, a fresh rate to USD.' }),
      gateway: Nullable(Type.String({ description: 'The healthy gateway that takes it.' })),
      watch_setting: Nullable(Type.String({ description: "The setting of the chain watcher that confirms its transfers; null: confirmed by hand only." })),
      watched: Type.Boolean({ description: 'That watcher is configured.' }),
    }),
  ),
  wallet_checkout: Type.Boolean({ description: 'balance_cny and balance_crypto are on (PUT /settings/wallet-checkout).' }),
});

export async function adminPaymentRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(PaymentSchema);
  app.get(
    '/payments/methods',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminPaymentMethods',
        summary: 'Which payment methods are offered, which gateways are configured and healthy, and how each coin is taken and confirmed',
        description: 'Gateways and chain watchers are configured by environment settings: their names are given, never their values.',
        security: ADMIN_SECURITY,
        response: { 200: MethodsAnswer, ...errorResponses(401, 403) },
      },
    },
    async () => {
      const gateways = await souk.gatewayPayments.statuses();
      const [availability, coins] = await Promise.all([paymentAvailability(souk.db, souk.config.crypto, await souk.gatewayPayments.offered()), coinStatuses(souk.db, souk.config.crypto, souk.config.chains, gateways)]);
      return {
        ok: true as const,
        methods: PAYMENT_METHODS.map((name) => ({ name, available: availability.methods[name] })),
        gateways: gateways.map((g) => ({ name: g.name, method: g.method, configured: g.configured, healthy: g.healthy, currency: g.currency, coins: [...g.coins], checked_at: wireTime(g.checkedAt), problem: g.problem, settings: [...g.settings] })),
        coins: coins.map((c) => ({ coin: c.coin, address_set: c.addressSet, own_address_offered: c.ownAddressOffered, gateway: c.gateway, watch_setting: c.watchSetting, watched: c.watched })),
        wallet_checkout: availability.methods.balance_cny,
      };
    },
  );
  app.get(
    '/payments/addresses',
    {
      config: { auth: ADMIN },
      schema: { tags: ['admin'], operationId: 'adminListPaymentAddresses', summary: 'Receiving addresses per coin', security: ADMIN_SECURITY, response: { 200: okObject({ addresses: Type.Array(AddressSchema) }), ...errorResponses(401, 403) } },
    },
    async () => ({ ok: true, addresses: await listReceivingAddresses(souk.db) }),
  );
  app.put<{ Params: Static<typeof CoinParams>; Body: Static<typeof AddressBody> }>(
    '/payments/addresses/:coin',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminSetPaymentAddress',
        summary: 'Set the receiving address of a coin',
        description: 'The address is checked against the chain (TRON base58check T…, EVM 0x + 40 hex with its EIP-55 checksum when mixed case, bitcoin base58check or bech32/bech32m); a bad one is 400 validation_error.',
        security: ADMIN_SECURITY,
        params: CoinParams,
        body: AddressBody,
        response: { 200: okObject({ address: AddressSchema }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ ok: true, address: await setReceivingAddress(souk.db, request.params.coin, request.body.address, actorOf(request.principal!)) }),
  );
  app.post<{ Body: Static<typeof ConfirmBody> }>(
    '/payments/confirm',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminConfirmPayment',
        summary: 'Credit a transfer to a crypto order',
        description:
          'In full: the order is fulfilled at once. Less: recorded as partial, the order waits on until it expires. More: fulfilled, the surplus recorded. ' +
          'After the order expired: fulfilled if its codes are still in stock, else marked refund due. A transaction id credited before (to any order) changes nothing: `credited` is false.',
        security: ADMIN_SECURITY,
        body: ConfirmBody,
        response: {
          200: okObject({ credited: Type.Boolean(), order_status: Type.Union([Type.String(), Type.Null()], { description: 'Where the order stands now; null for a top-up.' }), credited_to: Type.Union([Type.String(), Type.Null()]), payment: Type.Ref('AdminPayment') }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const confirmed = await confirmCryptoPayment(orderDepsOf(souk), { ...request.body, actor: actorOf(request.principal!) });
      return { ok: true, credited: confirmed.credited, order_status: confirmed.orderStatus, credited_to: confirmed.creditedTo ?? null, payment: paymentRecordView(confirmed.payment) };
    },
  );
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/payments',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListPayments',
        summary: 'Payments, newest first',
        security: ADMIN_SECURITY,
        querystring: ListQuery,
        response: { 200: okObject({ payments: Type.Array(Type.Ref('AdminPayment')) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ ok: true, payments: await listPayments(souk.db, request.query) }),
  );
}
