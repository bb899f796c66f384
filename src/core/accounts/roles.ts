// What a login of the shop's admin account may do in the admin API. Roles are enforced by the API
// (the auth plugin asks `roleAllows` before any admin route runs), never by what a console hides.
export const ADMIN_ROLES = ['owner', 'operator', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/**
 * read: look at anything · operate: run the shop day to day (orders, reviews, stock, catalog,
 * payments) · own: decide who may act and with what (logins, API keys, signing secrets, wallets'
 * adjustments, settings). An admin API key is its owner's and may do all three.
 */
export type AdminAction = 'read' | 'operate' | 'own';

const ALLOWED: Record<AdminRole, readonly AdminAction[]> = {
  owner: ['read', 'operate', 'own'],
  operator: ['read', 'operate'],
  viewer: ['read'],
};

/** Whether `role` may take `action`. */
export function roleAllows(role: AdminRole, action: AdminAction): boolean {
  return ALLOWED[role].includes(action);
}

export function isAdminRole(value: string): value is AdminRole {
  return (ADMIN_ROLES as readonly string[]).includes(value);
}
