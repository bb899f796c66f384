// `souk wallet`, `souk coupon` and `souk order`: money in, discounts, and orders an operator handles.
import type { Command } from 'commander';
import { orderDepsOf } from '../app.js';
import { getAccount } from '../core/accounts/index.js';
import { createCoupon, listCoupons, setCouponStatus, type Coupon } from '../core/coupons/index.js';
import { formatMinor, parseMinor } from '../core/money.js';
import { fulfilManualOrder, rejectOrder } from '../core/orders/index.js';
import { topUpWallet } from '../core/wallets/index.js';
import { openLines } from './lines.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk wallet`, `souk coupon` and `souk order` to the program. */
export function registerSalesCommands(program: Command): void {
  const { withSouk } = cliTools(program);
  program
    .command('wallet')
    .description('wallets')
    .command('topup')
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .requiredOption('--amount <amount>', 'decimal amount, e.g. 100.00')
    .option('--currency <code>', "wallet currency (default: the account's)")
    .option('--memo <text>', 'a note for the ledger')
    .option('--json', 'print JSON')
    .action(async (options: { account: number; amount: string; currency?: string; memo?: string; json?: boolean }) => {
      const wallet = await withSouk(async (souk) => {
        const account = await getAccount(souk.db, options.account);
        const currency = (options.currency ?? account.currency).toUpperCase();
        const amountMinor = parseMinor(options.amount, currency);
        if (amountMinor === undefined || amountMinor <= 0) throw new Error(`--amount must be a positive decimal amount in ${currency}`);
        return topUpWallet(souk.db, { accountId: account.id, amountMinor, currency, memo: options.memo, actor: 'cli' });
      });
      const balance = formatMinor(wallet.balance_minor, wallet.currency);
      print(options.json, { wallet_id: wallet.id, balance: Number(balance), currency: wallet.currency }, `Wallet ${wallet.id}: ${balance} ${wallet.currency}`);
    });

  const coupon = program.command('coupon').description('coupons: a percentage or an amount off an order');
  const couponTerms = (c: Coupon) =>
    `${c.code}: ${c.kind === 'percent' ? `${c.percent}% off` : `${c.amount} ${c.currency} off`}${c.product_id ? ` product ${c.product_id}` : ''}, used ${c.used_count}${c.usage_limit ? `/${c.usage_limit}` : ''}, ${c.status}`;
  coupon
    .command('create')
    .requiredOption('--code <code>', 'what buyers type; letters, digits, - and _')
    .option('--percent <percent>', 'percentage off, e.g. 10 or 12.5')
    .option('--amount <amount>', 'a fixed amount off (with --currency)')
    .option('--currency <code>', 'currency of --amount')
    .option('--product <ref>', 'only this product (id, code or slug)')
    .option('--usage-limit <n>', 'uses in all', wholeNumber('--usage-limit'))
    .option('--per-customer-limit <n>', 'uses per buying account', wholeNumber('--per-customer-limit'))
    .option('--starts <time>', 'valid from (ISO-8601)')
    .option('--ends <time>', 'valid until (ISO-8601)')
    .option('--json', 'print JSON')
    .action(
      async (options: { code: string; percent?: string; amount?: string; currency?: string; product?: string; usageLimit?: number; perCustomerLimit?: number; starts?: string; ends?: string; json?: boolean }) => {
        const created = await withSouk((souk) =>
          createCoupon(souk.db, {
            code: options.code,
            percent: options.percent,
            amount: options.amount,
            currency: options.currency,
            product: options.product,
            usage_limit: options.usageLimit,
            per_customer_limit: options.perCustomerLimit,
            starts_at: options.starts,
            ends_at: options.ends,
          }),
        );
        print(options.json, { coupon_id: created.id, code: created.code }, `Coupon ${couponTerms(created)}`);
      },
    );
  coupon
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const coupons = await withSouk((souk) => listCoupons(souk.db));
      print(options.json, { coupons }, coupons.length ? coupons.map(couponTerms).join('\n') : 'No coupons.');
    });
  for (const [action, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
    coupon
      .command(action)
      .argument('<code>', 'coupon code or id')
      .option('--json', 'print JSON')
      .action(async (code: string, options: { json?: boolean }) => {
        const changed = await withSouk((souk) => setCouponStatus(souk.db, code, status));
        print(options.json, { coupon_id: changed.id, code: changed.code, status: changed.status }, `Coupon ${couponTerms(changed)}`);
      });
  }

  const order = program.command('order').description('orders');
  order
    .command('fulfil')
    .argument('<order-id>', 'the order id')
    .requiredOption('--codes <file>', 'the codes to deliver, one per line; - reads standard input')
    .option('--json', 'print JSON')
    .action(async (orderId: string, options: { codes: string; json?: boolean }) => {
      const codes: string[] = [];
      for await (const line of (await openLines(options.codes)).lines) if (line.trim()) codes.push(line.trim());
      const fulfilled = await withSouk((souk) => fulfilManualOrder(orderDepsOf(souk), orderId, codes, 'cli'));
      print(options.json, { order_id: fulfilled.id, status: fulfilled.status, items: fulfilled.items.length }, `Order ${fulfilled.id} is ${fulfilled.status} with ${fulfilled.items.length} code(s).`);
    });
  order
    .command('reject')
    .argument('<order-id>', 'the order id')
    .requiredOption('--reason <text>', 'why (the buyer sees it)')
    .option('--json', 'print JSON')
    .action(async (orderId: string, options: { reason: string; json?: boolean }) => {
      const rejected = await withSouk((souk) => rejectOrder(orderDepsOf(souk), orderId, 'cli', options.reason));
      print(options.json, { order_id: rejected.id, status: rejected.status }, `Order ${rejected.id} is ${rejected.status}; the wallet was refunded.`);
    });
}
