// Wallet administration: balances and ledger, top-ups and adjustments, exchange rates and price
// tiers. Money is a decimal number in the wallet's currency on the wire, minor units inside.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { actorOf, getAccount } from '../../core/accounts/index.js';
import { listPriceTiers, setPriceTier } from '../../core/catalog/index.js';
import { ValidationFailed } from '../../core/errors.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import { formatMinor, minorToDecimal, parseMinor } from '../../core/money.js';
import { heldForOrders } from '../../core/orders/index.js';
import { adjustWallet, listFxRates, listLedgerEntries, listWallets, MAX_FX_RATE, setFxRate, topUpWallet, type LedgerEntry, type Wallet } from '../../core/wallets/index.js';
import { claimedRequestKey } from '../plugins/idempotency.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, CurrencyCode, DecimalAmount, errorResponses, okObject, WireTime } from '../schema-helpers.js';
import { wireTime, withWireTimes } from '../../core/clock.js';

const ADMIN = needs('admin');

// String first: Ajv then coerces a JSON number to its text, and a decimal string is never rounded through a float.
const Amount = (description: string) => DecimalAmount(description, { signed: true });
const Currency = CurrencyCode("ISO 4217 (any case); defaults to the account's currency.");
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
const WalletsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'How many recent ledger entries.' })),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only entries older than this entry id, to page back.' })),
});
const LedgerQuery = Type.Object({
  currency: Type.Optional(CurrencyCode('Only the entries of the wallet in this currency.')),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'next_before from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
const TopUpBody = Type.Object({
  amount: Amount('A positive decimal amount, e.g. 100.00.'),
  currency: Type.Optional(Currency),
  memo: Type.Optional(Type.String({ maxLength: 500 })),
});
const AdjustBody = Type.Object({
  amount: Amount('A signed decimal amount: negative takes money out (never past the credit limit).'),
  currency: Type.Optional(Currency),
  memo: Type.String({ minLength: 1, maxLength: 500, description: 'Why: required.' }),
});
const FxParams = Type.Object({ base: CurrencyCode(), quote: CurrencyCode() });
const FxBody = Type.Object({ rate: Type.String({ maxLength: 25, pattern: '^[0-9]{1,12}(\\.[0-9]{1,12})?$', description: 'Units of quote per unit of base, as a decimal string, e.g. "3.75" (up to 12 digits either side of the point).' }) });
const TierParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 50, description: 'Lowercase letters, digits, _ and -.' }) });
const TierBody = Type.Object({ discount_percent: Type.Union([Type.String({ maxLength: 10 }), Type.Number()], { description: 'From 0 to 100, at most 2 decimals.' }) });

const WalletSchema = Type.Object(
  {
    currency: Type.String(),
    balance: Type.Number(),
    credit_limit: Type.Number(),
    available: Type.Number({ description: 'balance + credit_limit: what orders can spend.' }),
    held: Type.Number({ description: 'Taken from the balance for orders still being bought from a provider: kept when they are delivered, given back when they are not.' }),
    updated_at: WireTime(),
  },
  { $id: 'Wallet', title: 'Wallet' },
);
const LedgerEntrySchema = Type.Object(
  {
    id: Type.Integer(),
    currency: Type.String(),
    amount: Type.Number({ description: 'Signed: credits are positive.' }),
    balance_after: Type.Number(),
    kind: Type.String({ description: 'topup, adjustment, order, refund or trade_in.' }),
    reference: Type.Union([Type.String(), Type.Null()]),
    memo: Type.Union([Type.String(), Type.Null()]),
    actor: Type.Union([Type.String(), Type.Null()]),
    created_at: WireTime(),
  },
  { $id: 'LedgerEntry', title: 'LedgerEntry' },
);
const LedgerLineSchema = Type.Object(
  {
    id: Type.Integer(),
    currency: Type.String(),
    amount: Type.String({ description: 'Signed decimal in the currency, e.g. "-12.50": credits are positive.' }),
    balance_after: Type.String({ description: 'The wallet balance after this entry, as a decimal.' }),
    kind: Type.String({ description: 'topup, adjustment, order, refund or trade_in.' }),
    reference: Type.Union([Type.String(), Type.Null()]),
    memo: Type.Union([Type.String(), Type.Null()], { description: 'The reason given (required for an adjustment).' }),
    actor: Type.Union([Type.String(), Type.Null()]),
    created_at: WireTime(),
  },
  { $id: 'LedgerLine', title: 'LedgerLine' },
);
const FxRateSchema = Type.Object({ base: Type.String(), quote: Type.String(), rate: Type.String(), updated_at: Type.Optional(WireTime()) }, { $id: 'FxRate', title: 'FxRate' });
const PriceTierSchema = Type.Object({ name: Type.String(), discount_percent: Type.Number(), updated_at: Type.Optional(WireTime()) }, { $id: 'PriceTier', title: 'PriceTier' });

/** A wallet on the wire; `held` is what its account's orders hold of it, by currency (heldForOrders). */
function walletView(wallet: Wallet, held: Map<string, number>) {
  return {
    currency: wallet.currency,
    balance: minorToDecimal(wallet.balance_minor, wallet.currency),
    credit_limit: minorToDecimal(wallet.credit_limit_minor, wallet.currency),
    available: minorToDecimal(wallet.balance_minor + wallet.credit_limit_minor, wallet.currency),
    held: minorToDecimal(held.get(wallet.currency) ?? 0, wallet.currency),
    updated_at: wireTime(wallet.updated_at),
  };
}

function ledgerView(entry: LedgerEntry) {
  return { ...entry, created_at: wireTime(entry.created_at), amount: minorToDecimal(entry.amount_minor, entry.currency), balance_after: minorToDecimal(entry.balance_after_minor, entry.currency) };
}

function ledgerLine(entry: LedgerEntry) {
  const { amount_minor, balance_after_minor, ...rest } = entry;
  return { ...rest, created_at: wireTime(entry.created_at), amount: formatMinor(amount_minor, entry.currency), balance_after: formatMinor(balance_after_minor, entry.currency) };
}

/** A decimal amount in minor units of `currency`: positive, or (signed) anything but zero; else 400 naming `amount`. */
function amountMinor(value: number | string, currency: string, sign: 'positive' | 'signed'): number {
  const minor = parseMinor(value, currency);
  if (minor === undefined || minor === 0 || (sign === 'positive' && minor < 0)) {
    const example = formatMinor(sign === 'positive' ? 10000 : -2550, currency);
    throw new ValidationFailed('The amount is not valid.', [{ field: 'amount', message: `a ${sign === 'positive' ? 'positive' : 'non-zero signed'} decimal amount in ${currency}, e.g. ${example}` }]);
  }
  return minor;
}

export async function adminWalletRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  for (const schema of [WalletSchema, LedgerEntrySchema, LedgerLineSchema, FxRateSchema, PriceTierSchema]) app.addSchema(schema);

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof WalletsQuery> }>(
    '/accounts/:id/wallets',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminGetWallets',
        summary: "An account's wallets and its recent ledger entries",
        security: ADMIN_SECURITY,
        params: IdParams,
        querystring: WalletsQuery,
        response: { 200: okObject({ account_id: Type.Integer(), wallets: Type.Array(Type.Ref('Wallet')), entries: Type.Array(Type.Ref('LedgerEntry')) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const account = await getAccount(souk.db, request.params.id);
      const [wallets, entries, held] = await Promise.all([listWallets(souk.db, account.id), listLedgerEntries(souk.db, account.id, request.query), heldForOrders(souk.db, account.id)]);
      return { ok: true, account_id: account.id, wallets: wallets.map((wallet) => walletView(wallet, held)), entries: entries.map(ledgerView) };
    },
  );
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LedgerQuery> }>(
    '/accounts/:id/ledger',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListLedger',
        summary: "An account's ledger, newest first, a page at a time (amounts as decimal strings)",
        security: ADMIN_SECURITY,
        params: IdParams,
        querystring: LedgerQuery,
        response: { 200: okObject({ entries: Type.Array(Type.Ref('LedgerLine')), next_before: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const account = await getAccount(souk.db, request.params.id);
      const limit = request.query.limit ?? 50;
      // One more than the page: whether there is a next page, without a count.
      const rows = await listLedgerEntries(souk.db, account.id, { currency: request.query.currency, before: request.query.before, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return { ok: true, entries: page.map(ledgerLine), next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof TopUpBody> }>(
    '/accounts/:id/wallets/topup',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminTopUpWallet',
        summary: 'Credit a wallet with money received outside Souk',
        security: ADMIN_SECURITY,
        params: IdParams,
        body: TopUpBody,
        response: { 200: okObject({ wallet: Type.Ref('Wallet') }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const account = await getAccount(souk.db, request.params.id);
      const currency = (request.body.currency ?? account.currency).toUpperCase();
      const amount = amountMinor(request.body.amount, currency, 'positive');
      const wallet = await topUpWallet(souk.db, { accountId: account.id, amountMinor: amount, currency, memo: request.body.memo, actor: actorOf(request.principal!), requestKey: claimedRequestKey(request) });
      return { ok: true, wallet: walletView(wallet, await heldForOrders(souk.db, account.id)) };
    },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AdjustBody> }>(
    '/accounts/:id/wallets/adjust',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminAdjustWallet',
        summary: 'Correct a wallet up or down, saying why',
        description: 'A downward adjustment past the credit limit is 402 insufficient_balance and changes nothing.',
        security: ADMIN_SECURITY,
        params: IdParams,
        body: AdjustBody,
        response: { 200: okObject({ wallet: Type.Ref('Wallet') }), ...errorResponses(400, 401, 402, 403, 404) },
      },
    },
    async (request) => {
      const account = await getAccount(souk.db, request.params.id);
      const currency = (request.body.currency ?? account.currency).toUpperCase();
      const amount = amountMinor(request.body.amount, currency, 'signed');
      const wallet = await adjustWallet(souk.db, { accountId: account.id, amountMinor: amount, currency, memo: request.body.memo, actor: actorOf(request.principal!), requestKey: claimedRequestKey(request) });
      return { ok: true, wallet: walletView(wallet, await heldForOrders(souk.db, account.id)) };
    },
  );

  app.get(
    '/fx-rates',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminListFxRates', summary: 'Exchange rates for charging wallets across currencies', security: ADMIN_SECURITY, response: { 200: okObject({ rates: Type.Array(Type.Ref('FxRate')) }), ...errorResponses(401, 403) } } },
    async () => ({ ok: true, rates: (await listFxRates(souk.db)).map((rate) => withWireTimes(rate, 'updated_at')) }),
  );
  app.put<{ Params: Static<typeof FxParams>; Body: Static<typeof FxBody> }>(
    '/fx-rates/:base/:quote',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminSetFxRate',
        summary: 'Set the rate from one currency to another',
        description:
          `400 validation_error naming \`rate\` for a rate above ${MAX_FX_RATE}, or one at which the largest order of a product priced in ` +
          '`base` (price × max_quantity) would convert past the largest amount a wallet can be charged.',
        security: ADMIN_SECURITY,
        params: FxParams,
        body: FxBody,
        response: { 200: okObject({ rate: Type.Ref('FxRate') }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { base, quote } = request.params;
      await setFxRate(souk, base, quote, request.body.rate);
      return { ok: true, rate: { base: base.toUpperCase(), quote: quote.toUpperCase(), rate: request.body.rate } };
    },
  );

  app.get(
    '/price-tiers',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminListPriceTiers', summary: 'Price tiers: named discounts accounts can be placed in', security: ADMIN_SECURITY, response: { 200: okObject({ tiers: Type.Array(Type.Ref('PriceTier')) }), ...errorResponses(401, 403) } } },
    async () => ({ ok: true, tiers: (await listPriceTiers(souk.db)).map((t) => ({ name: t.name, discount_percent: t.discount_bp / 100, updated_at: wireTime(t.updated_at) })) }),
  );
  app.put<{ Params: Static<typeof TierParams>; Body: Static<typeof TierBody> }>(
    '/price-tiers/:name',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminSetPriceTier',
        summary: 'Create or change a price tier',
        description: 'Put an account in it with PATCH /accounts/{id} `{"tier": "<name>"}`.',
        security: ADMIN_SECURITY,
        params: TierParams,
        body: TierBody,
        response: { 200: okObject({ tier: Type.Ref('PriceTier') }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const tier = await setPriceTier(souk, request.params.name, request.body.discount_percent);
      return { ok: true, tier: { name: tier.name, discount_percent: tier.discount_bp / 100 } };
    },
  );
}
