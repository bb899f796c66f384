// Which admin action each admin route is, for the roles of console logins (core/accounts/roles.ts):
// reading is `read`, any other call `operate`, and these decide who may act and with what money or
// secret, so only an owner (or an admin API key) may call them.
import type { AdminAction } from '../../core/accounts/index.js';

const OWNER_ONLY = new Set([
  'POST /admin/api/accounts',
  'PATCH /admin/api/accounts/:id',
  'POST /admin/api/accounts/:id/users',
  'PATCH /admin/api/users/:id',
  'POST /admin/api/accounts/:id/keys',
  'POST /admin/api/keys/:keyId/revoke',
  'POST /admin/api/accounts/:id/callback-secret',
  'POST /admin/api/accounts/:id/wallets/topup',
  'POST /admin/api/accounts/:id/wallets/adjust',
  'PUT /admin/api/settings/wallet-checkout',
  'PUT /admin/api/fx-rates/:base/:quote',
  'PUT /admin/api/price-tiers/:name',
  'PUT /admin/api/payments/addresses/:coin',
  'POST /admin/api/providers',
  'PATCH /admin/api/providers/:id',
  'POST /admin/api/webhooks/:id/rotate-secret',
  'POST /admin/api/zid/connect',
]);

/** The admin action a route is: owner-only ones listed above, else reading or operating by its method. */
export function adminActionOf(method: string, routeUrl: string): AdminAction {
  if (OWNER_ONLY.has(`${method} ${routeUrl}`)) return 'own';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'operate';
}

/** Every owner-only route, for the test that checks each one exists. */
export const OWNER_ONLY_ROUTES: readonly string[] = [...OWNER_ONLY];
