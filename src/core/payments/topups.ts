// Wallet top-ups, whichever way they are paid (issue 18 part 4): crypto to the shop's own address
// when it offers the coin (an exact amount, like a crypto order, confirmed by a person or a chain
// watcher), else the gateway that serves the method (Alipay, WeChat Pay, BTCPay). Either way the
// wallet is credited once the payment is confirmed, with the payment as the ledger's reference.
import type { Db } from '../../db/index.js';
import { NotFound, PaymentMethodUnavailable, ValidationFailed } from '../errors.js';
import { convertMoney, money } from '../money.js';
import { ensureWallet, rateBetween } from '../wallets/index.js';
import type { GatewayPayments } from './gateways/service.js';
import { topUpView, type TopUpRequest, type TopUpView } from './gateways/topups.js';
import { cryptoOffers, openCryptoInvoice, type CryptoSettings } from './providers/crypto/invoices.js';

export interface TopUpDeps {
  db: Db;
  gateways: GatewayPayments;
  crypto: CryptoSettings;
}

/** Opens a top-up of one of the account's wallets (made if it has none), paid the way `request` asks. */
export async function requestWalletTopUp(deps: TopUpDeps, request: TopUpRequest): Promise<TopUpView> {
  const { coin } = request;
  if (request.method !== 'crypto' || coin === undefined || !(await cryptoOffers(deps.db, deps.crypto)).has(coin)) return deps.gateways.topUp(request);
  if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
    throw new ValidationFailed('A top-up must be a positive amount.', [{ field: 'amount', message: 'must be more than zero' }]);
  }
  // Priced in USD like a crypto order, rounded up: the shop never credits more than it is paid.
  let usdCents = request.amountMinor;
  if (request.currency !== 'USD') {
    const rate = await rateBetween(deps.db, request.currency, 'USD');
    const converted = rate && convertMoney(money(request.amountMinor, request.currency), 'USD', rate, 'up');
    if (!converted) throw new PaymentMethodUnavailable(`crypto for a ${request.currency} wallet (the shop has no rate from ${request.currency} to USD)`);
    usdCents = converted.minor;
  }
  const wallet = await ensureWallet(deps.db, request.accountId, request.currency);
  const invoice = await openCryptoInvoice(deps.db, deps.crypto, {
    orderId: null,
    topUp: { walletId: wallet.id, creditMinor: request.amountMinor, actor: request.actor },
    coin,
    usdCents,
    expiresAt: new Date(Date.now() + deps.crypto.holdSeconds * 1000).toISOString(),
  });
  return topUpView(invoice, request.currency);
}

/** One of the account's top-ups; NotFound for another account's or none. */
export async function findWalletTopUp(db: Db, accountId: number, id: string): Promise<TopUpView> {
  const row = await db
    .selectFrom('payments')
    .innerJoin('wallets', 'wallets.id', 'payments.wallet_id')
    .selectAll('payments')
    .select('wallets.currency as wallet_currency')
    .where('payments.id', '=', id.slice(0, 40))
    .where('payments.purpose', '=', 'topup')
    .where('wallets.account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw new NotFound(`No top-up ${id.slice(0, 40)}.`);
  const { wallet_currency, ...charge } = row;
  return topUpView(charge, wallet_currency);
}
