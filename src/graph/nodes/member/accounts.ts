import { type AccountFields, accountDeleter, accountLogout, accountUpdater, userProvisioner, withAccountGuard } from '../../../domain/commands/account.js';
import { splitName } from '../../../domain/commands/member.js';
import { invalidParameter } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { Params } from '../../params.js';
import type { NodeRoute, ParamDoc } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { CommunityNode } from '../community/node.js';
import type { MemberNode } from './node.js';

// Graph account management (reference §3.8): POST /community/accounts, POST /{id|email}
// (profile fields, active, invited), DELETE /{id} (never-claimed accounts), POST /{id}/logout.
// The lifecycle rules live in domain/commands/account.ts, shared with SCIM.

const PROFILE = [
  'name',
  'first_name',
  'last_name',
  'email',
  'external_id',
  'title',
  'organization',
  'division',
  'department',
  'manager',
  'cost_center',
  'employee_number',
  'work_locale',
  'locale',
  'auth_method',
  'is_frontline',
  'frontline',
  'primary_phone',
  'primary_address',
] as const;

function frontlineOf(params: Params): boolean | undefined {
  const direct = params.boolean('is_frontline');
  if (direct !== undefined) return direct;
  const nested = params.json('frontline');
  if (nested === undefined) return undefined;
  if (typeof nested === 'object' && nested !== null && 'is_frontline' in nested) {
    const v = (nested as { is_frontline: unknown }).is_frontline;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  }
  throw invalidParameter('Param frontline must be {"is_frontline": true|false}');
}

/** Graph's account parameters in the domain's vocabulary. Empty strings count as absent. */
function accountFields(params: Params): AccountFields {
  const name = params.string('name');
  const first = params.string('first_name');
  const last = params.string('last_name');
  const split = name ? splitName(name) : undefined;
  const authMethod = params.oneOf('auth_method', ['password', 'sso'] as const);
  return {
    userName: params.string('email'),
    externalId: params.string('external_id'),
    name: name || first || last ? { formatted: name, givenName: first ?? split?.first, familyName: last ?? split?.last } : undefined,
    title: params.string('title'),
    organization: params.string('organization'),
    division: params.string('division'),
    department: params.string('department'),
    managerId: params.string('manager'),
    costCenter: params.string('cost_center'),
    employeeNumber: params.string('employee_number'),
    locale: params.string('work_locale') ?? params.string('locale'),
    authMethod,
    isFrontline: frontlineOf(params),
    primaryPhone: params.string('primary_phone'),
    primaryAddress: params.string('primary_address'),
    invited: params.boolean('invited'),
    active: params.boolean('active'),
  };
}

const links = (req: GraphRequest<unknown>) => ({ linkBase: req.linkBase });
const guarded = <T>(req: GraphRequest<unknown>, work: () => Promise<T>) => withAccountGuard(req.ctx, req.actor, work);

/** POST /community/accounts (alias /company/accounts): `name`, and `email` or `external_id`. */
async function createAccount(req: GraphRequest<CommunityNode>) {
  authorize(req.actor, 'account.create');
  const fields = accountFields(req.params);
  if (!req.params.string('name')) throw invalidParameter('The parameter name is required');
  if (!fields.userName && !fields.externalId) throw invalidParameter('Give email, or external_id for an account without email');
  const member = await guarded(req, () => req.write((w) => userProvisioner(w, fields, links(req))));
  return { id: member.id };
}

/** POST /{id|email}: profile fields (manage_work_profile), `active` and `invited` (provision_user_accounts). */
async function updateAccount(req: GraphRequest<MemberNode>) {
  const member = req.node.row;
  const fields = accountFields(req.params);
  if (PROFILE.some((p) => ![undefined, null, ''].includes(req.params.values[p] as never))) authorize(req.actor, 'account.update');
  if (fields.active !== undefined || fields.invited !== undefined) authorize(req.actor, 'account.activation');
  await guarded(req, () => req.write((w) => accountUpdater(w, member, fields, links(req))));
  return success;
}

/** DELETE /{id}: only accounts never claimed; a claimed account answers 412 (deactivate it). */
async function deleteAccount(req: GraphRequest<MemberNode>) {
  const member = req.node.row;
  authorize(req.actor, 'account.delete');
  await req.write((w) => accountDeleter(w, member));
  return success;
}

/** POST /{id}/logout: ends every session of the member. */
async function logout(req: GraphRequest<MemberNode>) {
  const member = req.node.row;
  authorize(req.actor, 'account.logout');
  await req.write((w) => accountLogout(w, member));
  return success;
}

const PROFILE_DOCS: readonly ParamDoc[] = [
  ...PROFILE.filter((name) => name !== 'frontline' && name !== 'is_frontline').map((name) => ({ name, description: `Profile field ${name}` })),
  { name: 'is_frontline', description: 'Frontline worker', type: 'boolean' },
  { name: 'frontline', description: '{"is_frontline": true|false}', type: 'object' },
];

/** POST /community/accounts, listed with the community's routes. */
export const createAccountRoute: NodeRoute<CommunityNode> = {
  edge: 'accounts',
  method: 'POST',
  handler: createAccount,
  summary: 'Create an account (name, and email or external_id)',
  params: PROFILE_DOCS,
};

export const accountRoutes: readonly NodeRoute<MemberNode>[] = [
  {
    edge: null,
    method: 'POST',
    handler: updateAccount,
    summary: 'Update profile fields, activate or deactivate, invite',
    params: [...PROFILE_DOCS, { name: 'active', description: 'Activate or deactivate', type: 'boolean' }, { name: 'invited', description: 'Send the invitation', type: 'boolean' }],
  },
  { edge: null, method: 'DELETE', handler: deleteAccount, summary: 'Delete an account that was never claimed' },
  { edge: 'logout', method: 'POST', handler: logout, summary: 'End every session of the member' },
];
