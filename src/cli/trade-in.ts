// `souk trade-in`: the trade-ins waiting to be verified, and the owner's decision on each code.
import { Command, Option } from 'commander';
import { tradeInDepsOf } from '../app.js';
import { decideTradeIn, listTradeIns, tradeInView } from '../core/trade-ins/index.js';
import { cliTools, print } from './tools.js';

/** `--reject CODE=REASON`, repeatable: split at the last `=`, so a code may itself hold one. */
function collectRejection(value: string, previous: Array<{ code: string; reason: string }>) {
  const at = value.lastIndexOf('=');
  if (at <= 0 || at === value.length - 1) throw new Error(`--reject takes CODE=REASON, got "${value}"`);
  return [...previous, { code: value.slice(0, at), reason: value.slice(at + 1) }];
}

/** Adds `souk trade-in` to the program. */
export function registerTradeInCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const tradeIn = program.command('trade-in').description('codes partners sell to the shop');
  tradeIn
    .command('list')
    .description('trade-ins, newest first (default: those waiting in verifying)')
    .addOption(new Option('--status <status>', 'which ones').choices(['verifying', 'completed', 'rejected']).default('verifying'))
    .option('--json', 'print JSON')
    .action(async (options: { status: 'verifying' | 'completed' | 'rejected'; json?: boolean }) => {
      const tradeIns = await withSouk((souk) => listTradeIns(souk.db, souk.vault, { status: options.status }));
      const lines = tradeIns.map((t) => `${t.trade_in_id}  ${t.status}  ${t.codes_submitted} × ${t.product_code} at ${t.unit_price} ${t.currency}${t.partner_order_id ? `  (${t.partner_order_id})` : ''}`);
      print(options.json, { trade_ins: tradeIns }, lines.length ? lines.join('\n') : `No trade-ins ${options.status}.`);
    });
  tradeIn
    .command('decide')
    .description('accept a trade-in: every code not rejected is accepted, joins stock and is credited once')
    .argument('<id>', 'the trade-in id')
    .option('--reject <code=reason>', 'refuse one code, saying why (repeatable)', collectRejection, [])
    .option('--json', 'print JSON')
    .action(async (id: string, options: { reject: Array<{ code: string; reason: string }>; json?: boolean }) => {
      const view = await withSouk(async (souk) => tradeInView(souk.db, souk.vault, await decideTradeIn(tradeInDepsOf(souk), id, { rejected: options.reject }, 'cli')));
      const rejected = view.codes.filter((c) => c.status === 'rejected').map((c) => `\n  rejected #${c.position} ${c.code}: ${c.reason}`).join('');
      print(options.json, { trade_in: view }, `Trade-in ${view.trade_in_id} ${view.status}: ${view.codes_accepted} of ${view.codes_submitted} accepted, credited ${view.credited} ${view.currency}${rejected}`);
    });
}
