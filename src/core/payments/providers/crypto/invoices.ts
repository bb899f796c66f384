// Opening an own-address invoice for an order just written: which coins can be offered now (an
// address set and, for a coin not pegged to USD, a fresh rate), the order's USD price in the coin,
// and a unique amount. Uniqueness among waiting invoices of a coin is the unique index
// payments_open_amount (migration 0016): a pick that lost a race to another order is picked again.
import type { Db } from '../../../../db/index.js';
import type { PaymentsTable } from '../../../../db/schema.js';
import { PaymentMethodUnavailable } from '../../../errors.js';
import { paymentRow } from '../../payment-rows.js';
import { listFxRates } from '../../../wallets/index.js';
import { COINS, type Coin } from '../../methods.js';
import { chooseOffset, OFFSET_SLOTS, priceInUnits, stepUnits, type CoinRate } from './amounts.js';
import { COIN_SPECS } from './coins.js';

export const CRYPTO_PROVIDER = 'crypto';

export interface CryptoSettings {
  /** A rate older than this many seconds is stale: its coin is not offered. */
  rateMaxAgeSeconds: number;
  /** How long an unpaid order holds its goods (and its invoice waits). */
  holdSeconds: number;
}

export interface CoinOffer {
  address: string;
  /** Undefined for a USD stablecoin. */
  rate?: CoinRate;
}

/** The coins that can be offered now, with their address and rate: a coin without an address, or without a fresh rate, is not among them. */
export async function cryptoOffers(db: Db, settings: Pick<CryptoSettings, 'rateMaxAgeSeconds'>, now = Date.now()): Promise<Map<Coin, CoinOffer>> {
  const [addresses, rates] = await Promise.all([db.selectFrom('payment_addresses').select(['coin', 'address']).execute(), listFxRates(db)]);
  const fresh = rates.filter((r) => now - Date.parse(r.updated_at) <= settings.rateMaxAgeSeconds * 1000);
  const offers = new Map<Coin, CoinOffer>();
  for (const { coin, address } of addresses) {
    if (!(COINS as readonly string[]).includes(coin)) continue;
    const spec = COIN_SPECS[coin as Coin];
    if (spec.pricedAs === 'USD') {
      offers.set(spec.coin, { address });
      continue;
    }
    const direct = fresh.find((r) => r.base === spec.pricedAs && r.quote === 'USD');
    const inverse = fresh.find((r) => r.base === 'USD' && r.quote === spec.pricedAs);
    if (direct) offers.set(spec.coin, { address, rate: { usdPerCoin: direct.rate } });
    else if (inverse) offers.set(spec.coin, { address, rate: { coinPerUsd: inverse.rate } });
  }
  return offers;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export interface InvoiceRequest {
  /** The order it pays; null for a wallet top-up (then `topUp` says which wallet, and how much it is credited). */
  orderId: string | null;
  topUp?: { walletId: number; creditMinor: number; actor: string };
  coin: Coin;
  /** What the order was charged, in US cents. */
  usdCents: number;
  /** The order's hold: the invoice waits as long. */
  expiresAt: string;
}

/** Tries at one price before giving up: each try reads what is taken, so only a race loses one. */
const ATTEMPTS = 8;

/**
 * The order's waiting invoice in `coin`, opened now with a unique amount (or the one it has, for
 * a retried order). PaymentMethodUnavailable when the coin cannot be offered, or every offset at
 * this price is taken by a waiting invoice.
 */
export async function openCryptoInvoice(db: Db, settings: CryptoSettings, request: InvoiceRequest): Promise<PaymentsTable> {
  const existing = request.orderId === null ? undefined : await db.selectFrom('payments').selectAll().where('provider', '=', CRYPTO_PROVIDER).where('order_id', '=', request.orderId).executeTakeFirst();
  if (existing) return existing;
  const offer = (await cryptoOffers(db, settings)).get(request.coin);
  const spec = COIN_SPECS[request.coin];
  const base = offer && priceInUnits(request.usdCents, spec, offer.rate);
  if (!offer || base === undefined) throw new PaymentMethodUnavailable(`crypto (${request.coin})`);
  const step = stepUnits(spec);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const waiting = await db.selectFrom('payments').select('expected_units').where('asset', '=', request.coin).where('waiting', '=', 1).execute();
    const taken = new Set<number>();
    for (const { expected_units } of waiting) {
      const offset = (BigInt(expected_units) - base) / step;
      if (offset >= 1n && offset <= BigInt(OFFSET_SLOTS) && (BigInt(expected_units) - base) % step === 0n) taken.add(Number(offset));
    }
    const offset = chooseOffset(taken);
    if (offset === undefined) break;
    const row = paymentRow({
      provider: CRYPTO_PROVIDER,
      order_id: request.orderId,
      asset: request.coin,
      address: offer.address,
      expected_units: (base + BigInt(offset) * step).toString(),
      expires_at: request.expiresAt,
      purpose: request.topUp ? 'topup' : 'order',
      wallet_id: request.topUp?.walletId ?? null,
      credit_minor: request.topUp?.creditMinor ?? null,
      actor: request.topUp?.actor ?? null,
    });
    try {
      await db.insertInto('payments').values(row).execute();
      return row;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another order took this amount first, or a retry of this order opened its invoice meanwhile.
      const mine = request.orderId === null ? undefined : await db.selectFrom('payments').selectAll().where('provider', '=', CRYPTO_PROVIDER).where('order_id', '=', request.orderId).executeTakeFirst();
      if (mine) return mine;
    }
  }
  throw new PaymentMethodUnavailable(`crypto (${request.coin}): too many orders wait for a payment at this price; try again shortly`);
}
