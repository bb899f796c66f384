// `souk review`: the orders the risk score holds for a person (list, approve, reject), and the
// high-risk mark of a product that the score reads.
import type { Command } from 'commander';
import { orderDepsOf } from '../app.js';
import { setProductHighRisk } from '../core/catalog/index.js';
import { wireTime } from '../core/clock.js';
import { formatMinor } from '../core/money.js';
import { approveReview, listReviews, rejectReview } from '../core/orders/index.js';
import { cliTools, print } from './tools.js';

/** Adds `souk review` to the program. */
export function registerReviewCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const review = program.command('review').description('orders waiting for review by the risk checks');
  review
    .command('list')
    .description('orders waiting in review, due soonest first, with the reasons')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const entries = await withSouk((souk) => listReviews(souk.db));
      if (options.json) {
        const reviews = entries.map((e) => ({
          order_id: e.order_id,
          number: e.number,
          account_id: e.account_id,
          product_code: e.product_code,
          quantity: e.quantity,
          amount: formatMinor(e.charged_minor, e.charged_currency),
          currency: e.charged_currency,
          payment_provider: e.payment_provider,
          buyer_email: e.buyer_email,
          risk_score: e.risk_score,
          reasons: e.reasons,
          review_until: wireTime(e.review_until),
        }));
        print(true, { reviews }, '');
        return;
      }
      if (!entries.length) {
        print(false, {}, 'No orders wait for review.');
        return;
      }
      const lines = entries.map((e) =>
        [
          `${e.order_id} ${e.number}: account ${e.account_id}, ${e.quantity} × ${e.product_code}, ${formatMinor(e.charged_minor, e.charged_currency)} ${e.charged_currency} (${e.payment_provider}), score ${e.risk_score ?? '-'}, decide by ${wireTime(e.review_until) ?? '-'}`,
          ...e.reasons.map((r) => `  - ${r.reason}${r.points ? ` (+${r.points})` : ''}`),
        ].join('\n'),
      );
      print(false, {}, lines.join('\n'));
    });
  review
    .command('approve')
    .argument('<order-id>', 'the order id')
    .description('approve an order in review: it is fulfilled')
    .option('--json', 'print JSON')
    .action(async (orderId: string, options: { json?: boolean }) => {
      const order = await withSouk((souk) => approveReview(orderDepsOf(souk), orderId, 'cli'));
      print(options.json, { order_id: order.id, status: order.status }, `Order ${order.id} approved: it is ${order.status}.`);
    });
  review
    .command('reject')
    .argument('<order-id>', 'the order id')
    .requiredOption('--reason <text>', 'why (recorded, and sent with the status callback)')
    .description('reject an order in review: its codes go back on sale and it is refunded')
    .option('--json', 'print JSON')
    .action(async (orderId: string, options: { reason: string; json?: boolean }) => {
      const order = await withSouk((souk) => rejectReview(orderDepsOf(souk), orderId, 'cli', options.reason));
      print(options.json, { order_id: order.id, status: order.status }, `Order ${order.id} is ${order.status}; it was refunded.`);
    });
  review
    .command('high-risk')
    .argument('<product>', 'product id, code or slug')
    .description("mark a product high-risk: its orders score more in the risk checks (--off removes the mark)")
    .option('--off', 'remove the mark')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { off?: boolean; json?: boolean }) => {
      const marked = await withSouk((souk) => setProductHighRisk(souk.db, reference, !options.off, 'cli'));
      print(options.json, { product_code: marked.code, high_risk: marked.high_risk }, `${marked.code} is ${marked.high_risk ? 'marked high-risk' : 'no longer marked high-risk'}.`);
    });
}
