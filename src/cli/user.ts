// `souk user`: logins for the console and the token endpoint.
import type { Command } from 'commander';
import { createUser } from '../core/accounts/index.js';
import { randomBase62 } from '../core/crypto.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk user` to the program. */
export function registerUserCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  program
    .command('user')
    .description('logins for the console and the token endpoint')
    .command('create')
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .requiredOption('--username <name>', 'login name')
    .option('--password <password>', 'at least 10 characters (default: generated and printed once)')
    .option('--role <role>', "for the admin account's logins: owner, operator or viewer (default owner)")
    .option('--json', 'print JSON')
    .action(async (options: { account: number; username: string; password?: string; role?: string; json?: boolean }) => {
      const password = options.password ?? randomBase62(12);
      const user = await withSouk((souk) => createUser(souk.db, { accountId: options.account, username: options.username, password, ...(options.role ? { role: options.role } : {}) }));
      const json: Record<string, unknown> = { user_id: user.id, username: user.username, role: user.role };
      if (!options.password) json.password = password;
      print(options.json, json, `Created user ${user.username}${options.password ? '' : ` with password ${password} (shown once)`}`);
    });
}
