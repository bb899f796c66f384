// `souk order`: the orders an operator handles by hand (fulfil a manual order, reject one).
import type { Command } from 'commander';
import { orderDepsOf } from '../app.js';
import { fulfilManualOrder, rejectOrder } from '../core/orders/index.js';
import { openLines } from './lines.js';
import { cliTools, print } from './tools.js';

/** Adds `souk order` to the program. */
export function registerOrderCommand(program: Command): void {
  const { withSouk } = cliTools(program);
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
