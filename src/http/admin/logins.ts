// An account's logins: list them, change a role, disable or enable one (creating one is
// POST /accounts/{id}/users beside the account routes).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { listLogins, updateLogin, type LoginSummary } from '../../core/accounts/index.js';
import { wireTime } from '../../core/clock.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, oneOfFields, WireTime } from '../schema-helpers.js';

const ADMIN = needs('admin');
const Role = Type.Union([Type.Literal('owner'), Type.Literal('operator'), Type.Literal('viewer')]);
const LoginSchema = Type.Object(
  {
    id: Type.Integer(),
    account_id: Type.Integer(),
    username: Type.String(),
    role: Type.String({ description: "What it may do in the admin API, for a login of the admin account: owner, operator or viewer." }),
    disabled: Type.Boolean(),
    disabled_at: Type.Union([WireTime(), Type.Null()]),
    created_at: WireTime(),
  },
  { $id: 'Login', title: 'Login' },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
const LoginChange = Type.Object({ role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, ...oneOfFields([['role'], ['disabled']]) });

const view = (login: LoginSummary) => ({ id: login.id, account_id: login.accountId, username: login.username, role: login.role, disabled: login.disabledAt !== null, disabled_at: wireTime(login.disabledAt), created_at: wireTime(login.createdAt) });

/** The admin routes for logins. */
export async function adminLoginRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(LoginSchema);
  app.get<{ Params: Static<typeof IdParams> }>(
    '/accounts/:id/users',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminListLogins', summary: "An account's logins (never their passwords)", security: ADMIN_SECURITY, params: IdParams, response: { 200: okObject({ users: Type.Array(Type.Ref('Login')) }), ...errorResponses(400, 401, 403, 404, 429) } } },
    async (request) => ({ ok: true, users: (await listLogins(souk.db, request.params.id)).map(view) }),
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof LoginChange> }>(
    '/users/:id',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminUpdateLogin',
        summary: "Change a login's role, or disable or enable it",
        description: 'A disabled login can no longer log in, and its console sessions and tokens stop working at their next request. Owners only.',
        security: ADMIN_SECURITY,
        params: IdParams,
        body: LoginChange,
        response: { 200: okObject({ user: Type.Ref('Login') }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => ({ ok: true, user: view(await updateLogin(souk.db, request.params.id, request.body)) }),
  );
}
