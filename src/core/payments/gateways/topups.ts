// Wallet top-ups through a gateway (issue 18 part 4): an account holder asks to add an amount to
// one of its wallets and pays it on the gateway's page; the wallet is credited by the verified
// notification or a lookup (credit.ts), once, with the payment as the ledger entry's reference.
// The gateway charges its own currency: a top-up of a wallet in another is converted at the shop's
// rate, rounded up, so the shop never credits more than it was paid.
import { wireTime } from '../../clock.js';
import { PaymentMethodUnavailable, ValidationFailed } from '../../errors.js';
import { convertMoney, formatMinor, money } from '../../money.js';
import { ensureWallet, rateBetween } from '../../wallets/index.js';
import type { Coin } from '../methods.js';
import { openCharge } from './charges.js';
import type { GatewayContext } from './context.js';
import type { GatewayMethod, PaymentGateway } from './gateway.js';
import { gatewayPaymentView, type GatewayPaymentView } from './views.js';
import type { PaymentsTable } from '../../../db/schema.js';
import { CRYPTO_PROVIDER } from '../providers/crypto/invoices.js';
import { cryptoPaymentView, type CryptoPaymentView } from '../providers/crypto/records.js';

export interface TopUpRequest {
  accountId: number;
  /** The wallet's currency. */
  currency: string;
  /** What the wallet is to be credited, minor units of `currency`. */
  amountMinor: number;
  method: GatewayMethod;
  coin?: Coin;
  actor: string;
}

export interface TopUpView {
  id: string;
  status: PaymentsTable['status'];
  /** What the wallet is credited once paid, decimal in `currency`. */
  amount: string;
  currency: string;
  /** How to pay it: through a gateway, or (own-address crypto) to the shop's address. */
  payment: GatewayPaymentView | CryptoPaymentView;
  createdAt: string;
}

/** A top-up as its account sees it; `currency` is its wallet's. */
export function topUpView(charge: PaymentsTable, currency: string): TopUpView {
  return {
    id: charge.id,
    status: charge.status,
    amount: formatMinor(charge.credit_minor ?? 0, currency),
    currency,
    payment: charge.provider === CRYPTO_PROVIDER ? cryptoPaymentView(charge) : gatewayPaymentView(charge),
    createdAt: wireTime(charge.created_at),
  };
}

/** Opens a top-up charge at the gateway that serves `method` (and `coin`), for a wallet of the account; the wallet is made if it has none. */
export async function requestTopUp(ctx: GatewayContext, gateway: PaymentGateway | undefined, request: TopUpRequest): Promise<TopUpView> {
  if (!gateway) throw new PaymentMethodUnavailable(request.coin ? `${request.method} (${request.coin})` : request.method);
  if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
    throw new ValidationFailed('A top-up must be a positive amount.', [{ field: 'amount', message: 'must be more than zero' }]);
  }
  let chargeMinor = request.amountMinor;
  if (request.currency !== gateway.currency) {
    const rate = await rateBetween(ctx.db, request.currency, gateway.currency);
    const converted = rate && convertMoney(money(request.amountMinor, request.currency), gateway.currency, rate, 'up');
    if (!converted) throw new PaymentMethodUnavailable(`${request.method} for a ${request.currency} wallet (the shop has no rate from ${request.currency} to ${gateway.currency})`);
    chargeMinor = converted.minor;
  }
  const wallet = await ensureWallet(ctx.db, request.accountId, request.currency);
  const expiresAt = new Date(Date.now() + ctx.settings.holdSeconds * 1000).toISOString();
  const charge = await openCharge(ctx, gateway, {
    target: { purpose: 'topup', walletId: wallet.id, creditMinor: request.amountMinor, actor: request.actor },
    amountMinor: chargeMinor,
    expiresAt,
    ...(request.coin ? { coin: request.coin } : {}),
  });
  return topUpView(charge, request.currency);
}
