// `souk account`, `souk key` and `souk user`: who may use the shop, and with what credentials.
import { Command, Option } from 'commander';
import { apiKeyIdOf, createAccount, createApiKey, createUser, revokeApiKey, listApiKeys, ACCOUNT_KINDS, type AccountKind } from '../core/accounts/index.js';
import { randomBase62 } from '../core/crypto.js';
import { parseMinor } from '../core/money.js';
import { callbackSecret } from '../core/webhooks/index.js';
import { cliTools, print, webhookDeps, wholeNumber } from './tools.js';

/** Adds `souk account`, `souk key` and `souk user` to the program. */
export function registerAccountCommands(program: Command): void {
  const { withSouk } = cliTools(program);
  const account = program.command('account').description('accounts: resellers, partners, admins');
  account
    .command('create')
    .requiredOption('--name <name>', 'account name')
    .addOption(new Option('--kind <kind>', 'account kind').choices([...ACCOUNT_KINDS]).default('reseller'))
    .option('--currency <code>', 'ISO 4217 currency', 'USD')
    .option('--credit-limit <amount>', 'how far the wallet may go below zero', '0')
    .option('--rate-limit <n>', 'requests per minute per key (default: SOUK_KEY_RATE_LIMIT)', wholeNumber('--rate-limit'))
    .option('--json', 'print JSON')
    .action(async (options: { name: string; kind: AccountKind; currency: string; creditLimit: string; rateLimit?: number; json?: boolean }) => {
      const currency = options.currency.toUpperCase();
      const creditLimitMinor = parseMinor(options.creditLimit, currency);
      if (creditLimitMinor === undefined || creditLimitMinor < 0) throw new Error(`--credit-limit must be a decimal amount in ${currency}`);
      const row = await withSouk((souk) => createAccount(souk.db, { name: options.name, kind: options.kind, currency, creditLimitMinor, rateLimitPerMinute: options.rateLimit }));
      print(options.json, { account_id: row.id }, `Created ${row.kind} account ${row.id} (${row.name}, ${row.currency})`);
    });

  account
    .command('callback-secret')
    .description("the secret that signs deliveries to the callback_url of the account's orders (created on first use)")
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .option('--rotate', 'replace it; the old one stays valid for 24 hours')
    .option('--json', 'print JSON')
    .action(async (options: { account: number; rotate?: boolean; json?: boolean }) => {
      const secret = await withSouk((souk) => callbackSecret(webhookDeps(souk), options.account, { rotate: options.rotate }));
      print(options.json, { secret }, `Callback secret for account ${options.account}: ${secret}`);
    });
  const key = program.command('key').description('API keys');
  key
    .command('create')
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .option('--signed', 'give the key a signing secret')
    .option('--require-signature', 'refuse unsigned requests made with this key (implies --signed)')
    .option('--scopes <list>', 'comma-separated scopes (default: by account kind)')
    .option('--label <text>', 'a note to tell keys apart')
    .option('--json', 'print JSON')
    .action(async (options: { account: number; signed?: boolean; requireSignature?: boolean; scopes?: string; label?: string; json?: boolean }) => {
      const created = await withSouk((souk) =>
        createApiKey(souk.db, souk.box, {
          accountId: options.account,
          signed: options.signed,
          requireSignature: options.requireSignature,
          scopes: options.scopes?.split(',').map((s) => s.trim()).filter(Boolean),
          label: options.label,
        }),
      );
      const json: Record<string, unknown> = { key_id: created.keyId, api_key: created.apiKey };
      if (created.signingSecret) json.signing_secret = created.signingSecret;
      const human = [`Key ${created.keyId} (shown once): ${created.apiKey}`];
      if (created.signingSecret) human.push(`Signing secret (shown once): ${created.signingSecret}`);
      print(options.json, json, human.join('\n'));
    });
  key
    .command('revoke')
    .argument('<key>', 'the key id (key_…), or the key itself (sk_live_…)')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      const revoked = await withSouk(async (souk) => revokeApiKey(souk, reference.startsWith('sk_live_') ? await apiKeyIdOf(souk.db, reference) : reference));
      print(options.json, { key_id: revoked.key_id, revoked_at: revoked.revoked_at }, `Revoked ${revoked.key_id}`);
    });
  key
    .command('list')
    .option('--account <id>', 'only this account', wholeNumber('--account'))
    .option('--json', 'print JSON')
    .action(async (options: { account?: number; json?: boolean }) => {
      const keys = await withSouk((souk) => listApiKeys(souk.db, options.account));
      const lines = keys.map((k) => `${k.key_id}  ${k.prefix}…  account ${k.account_id}  ${k.scopes.join(',')}${k.revoked_at ? '  REVOKED' : ''}`);
      print(options.json, { keys }, lines.join('\n') || 'No keys.');
    });

  program
    .command('user')
    .description('logins for the console and the token endpoint')
    .command('create')
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .requiredOption('--username <name>', 'login name')
    .option('--password <password>', 'at least 10 characters (default: generated and printed once)')
    .option('--json', 'print JSON')
    .action(async (options: { account: number; username: string; password?: string; json?: boolean }) => {
      const password = options.password ?? randomBase62(12);
      const user = await withSouk((souk) => createUser(souk.db, { accountId: options.account, username: options.username, password }));
      const json: Record<string, unknown> = { user_id: user.id, username: user.username };
      if (!options.password) json.password = password;
      print(options.json, json, `Created user ${user.username}${options.password ? '' : ` with password ${password} (shown once)`}`);
    });
}
