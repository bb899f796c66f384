// `souk coupon`: a percentage or an amount off an order.
import type { Command } from 'commander';
import { createCoupon, listCoupons, setCouponStatus, type Coupon } from '../core/coupons/index.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk coupon` to the program. */
export function registerCouponCommand(program: Command): void {
  const { withSouk } = cliTools(program);
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
}
