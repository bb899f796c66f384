// `souk payment`: receiving addresses for the own-address crypto method, confirming a transfer by
// hand, and the list of payments (partial, overpaid, late … for the admin to act on).
import type { Command } from 'commander';
import { orderDepsOf } from '../app.js';
import { confirmCryptoPayment, listPayments, listReceivingAddresses, paymentRecordView, setReceivingAddress, type PaymentRecordView } from '../core/payments/index.js';
import { cliTools, print } from './tools.js';

const paymentLine = (p: PaymentRecordView) =>
  p.status === 'unmatched'
    ? `${p.id} unmatched transfer ${p.txid ?? '?'}: ${p.received} ${p.coin} to ${p.address}, pays no order (credit it: souk payment confirm ORDER --txid … --amount ${p.received})`
    : `${p.id} ${p.purpose === 'topup' ? 'top-up' : `order ${p.order_id ?? '-'}`}: ${p.amount} ${p.currency ?? p.coin} ${p.currency ? `through ${p.provider}` : `to ${p.address}`}, received ${p.received}, ${p.status}` +
  `${p.surplus !== '0' && !/^0\.0*$/.test(p.surplus) ? `, surplus ${p.surplus}` : ''}${p.refund_status ? `, refund ${p.refund_status}` : p.refund_due ? ', REFUND DUE' : ''}, expires ${p.expires_at}`;

/** Adds `souk payment` to the program. */
export function registerPaymentCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const payment = program.command('payment').description('crypto payments: receiving addresses, confirming transfers, the payments list');
  const address = payment.command('address').description('the receiving address of each coin');
  address
    .command('set')
    .requiredOption('--coin <coin>', 'trc20_usdt, erc20_usdt, bep20_usdt, btc, eth, trx or bnb')
    .requiredOption('--address <address>', 'your receiving address on that chain (checked, checksum included)')
    .option('--json', 'print JSON')
    .action(async (options: { coin: string; address: string; json?: boolean }) => {
      const set = await withSouk((souk) => setReceivingAddress(souk.db, options.coin, options.address, 'cli'));
      print(options.json, { address: set }, `${set.coin} is paid to ${set.address}`);
    });
  address
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const addresses = await withSouk((souk) => listReceivingAddresses(souk.db));
      print(options.json, { addresses }, addresses.length ? addresses.map((a) => `${a.coin}: ${a.address}`).join('\n') : 'No receiving addresses: crypto is not offered.');
    });
  payment
    .command('confirm')
    .argument('<order>', 'the order number (SK-…) or id')
    .requiredOption('--txid <txid>', 'the transfer\'s transaction id (64 hex digits)')
    .requiredOption('--amount <amount>', 'what arrived, in the coin\'s units (e.g. 10.000123)')
    .option('--json', 'print JSON')
    .action(async (order: string, options: { txid: string; amount: string; json?: boolean }) => {
      const confirmed = await withSouk((souk) => confirmCryptoPayment(orderDepsOf(souk), { order, txid: options.txid, amount: options.amount, actor: 'cli' }));
      const view = paymentRecordView(confirmed.payment);
      const text = confirmed.credited
        ? `Credited: ${paymentLine(view)}; ${confirmed.orderStatus ? `the order is ${confirmed.orderStatus}` : 'a top-up'}`
        : `Already credited${confirmed.creditedTo && confirmed.creditedTo !== view.id ? ` to payment ${confirmed.creditedTo}` : ''}: nothing changed.`;
      print(options.json, { credited: confirmed.credited, order_status: confirmed.orderStatus, credited_to: confirmed.creditedTo ?? null, payment: view }, text);
    });
  payment
    .command('list')
    .option('--status <status>', 'open, partial, paid, overpaid, expired, late or unmatched')
    .option('--json', 'print JSON')
    .action(async (options: { status?: string; json?: boolean }) => {
      const payments = await withSouk((souk) => listPayments(souk.db, { status: options.status }));
      print(options.json, { payments }, payments.length ? payments.map(paymentLine).join('\n') : 'No payments.');
    });
}
