// `souk user`: logins for the console and the token endpoint.
import type { Command } from 'commander';
import { createUser, listLogins, updateLogin, type LoginSummary } from '../core/accounts/index.js';
import { randomBase62 } from '../core/crypto.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk user` to the program. */
export function registerUserCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const user = program.command('user').description('logins for the console and the token endpoint');
  user
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
  user
    .command('list')
    .description("an account's logins and their roles")
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .option('--json', 'print JSON')
    .action(async (options: { account: number; json?: boolean }) => {
      const logins = await withSouk((souk) => listLogins(souk.db, options.account));
      print(options.json, { users: logins.map(loginJson) }, logins.map((l) => `${l.id}  ${l.username}  ${l.role}${l.disabledAt ? '  disabled' : ''}`).join('\n') || 'No logins.');
    });
  user
    .command('update <id>')
    .description("change a login's role, or disable or enable it (its sessions and tokens stop at once)")
    .option('--role <role>', 'owner, operator or viewer')
    .option('--disable', 'disable the login')
    .option('--enable', 'enable the login again')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { role?: string; disable?: boolean; enable?: boolean; json?: boolean }) => {
      const userId = wholeNumber('id')(id);
      const change = { ...(options.role ? { role: options.role } : {}), ...(options.disable ? { disabled: true } : options.enable ? { disabled: false } : {}) };
      const login = await withSouk((souk) => updateLogin(souk.db, userId, change));
      print(options.json, { user: loginJson(login) }, `${login.username}: ${login.role}${login.disabledAt ? ', disabled' : ''}`);
    });
}

const loginJson = (login: LoginSummary) => ({ id: login.id, account_id: login.accountId, username: login.username, role: login.role, disabled: login.disabledAt !== null });
