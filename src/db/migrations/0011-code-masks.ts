// A stock code's mask (what admin lists show: `ABCD-••••-••••-WXYZ`), sealed on its own beside the
// code when the code is sealed, so a masked view never opens a code. The mask shows some of the
// code's characters, so it rests sealed too (core/inventory/codes.ts). Codes from before this have
// none (null): their mask is made by opening the code.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

async function up(tx: Transaction<Database>): Promise<void> {
  await tx.schema.alterTable('stock_items').addColumn('code_mask', 'text').execute();
}

export const codeMasks: Migration = { name: '0011-code-masks', up };
