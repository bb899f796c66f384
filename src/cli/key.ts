// `souk key`: API keys, shown once when created.
import type { Command } from 'commander';
import { apiKeyIdOf, createApiKey, revokeApiKey, listApiKeys } from '../core/accounts/index.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk key` to the program. */
export function registerKeyCommand(program: Command): void {
  const { withSouk } = cliTools(program);
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
}
