import type { Context } from '../context.js';
import type { Db } from '../db/database.js';
import { findInvitesOf } from '../db/repositories/account.js';
import { findMembersByIds, type MemberRow } from '../db/repositories/member.js';
import { listSetsOfMembers } from '../db/repositories/peopleSet.js';
import { currentList } from '../domain/accountAttributes.js';
import { claimLink, openInvite } from '../domain/commands/account.js';
import { type ExtensionKey, flavourName, type ScimFlavour, URN } from './scimSchemas.js';

// SCIM User resources (2.0 and 1.x) over the member model. Secrets never reach here except
// the claim link and access code, which the provisioning client is meant to see while the
// account is invited.

export interface ScimPresentation {
  ctx: Pick<Context, 'secrets'>;
  db: Db;
  flavour: ScimFlavour;
  /** Absolute base of the SCIM mount the request used, e.g. http://host/scim/v2. */
  base: string;
  /** Trusted base for claim links, or null to leave them out (http/links.ts). */
  linkBase: string | null;
}

export const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : Math.floor(ms / 1000));

/** The weak ETag of a resource version. */
export function etagOf(updatedTime: number): string {
  return `W/"${updatedTime.toString(36)}"`;
}

function compact(object: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  return Object.keys(out).length ? out : undefined;
}

const text = (v: string | null | undefined) => (v === null || v === '' ? undefined : v);

/**
 * User resources for members, loading managers, invitations and group memberships for all of
 * them at once; `groups: false` skips the memberships (an account just created has none).
 */
export async function presentScimUsers(p: ScimPresentation, members: readonly MemberRow[], options: { groups: boolean } = { groups: true }): Promise<Record<string, unknown>[]> {
  const managerIds = members.map((m) => m.manager_id).filter((id): id is string => !!id);
  const invitedIds = members.filter((m) => m.state === 'invited').map((m) => m.id);
  const [managers, invites, memberships] = await Promise.all([findMembersByIds(p.db, managerIds), findInvitesOf(p.db, invitedIds), options.groups ? listSetsOfMembers(p.db, members.map((m) => m.id)) : []]);
  const groupsOf = new Map<string, Record<string, unknown>[]>();
  for (const g of memberships) {
    const entry = p.flavour === '2.0' ? { value: g.set_id, $ref: `${p.base}/Groups/${g.set_id}`, display: g.display_name, type: 'direct' } : { value: g.set_id, display: g.display_name };
    groupsOf.set(g.member_id, [...(groupsOf.get(g.member_id) ?? []), entry]);
  }
  const managerNames = new Map(managers.map((m) => [m.id, m.name]));
  const inviteOf = new Map(invites.map((i) => [i.member_id, i]));
  const urn = URN[p.flavour];
  return members.map((m) => {
    const out: Record<string, unknown> = { schemas: [urn.core], id: m.id };
    if (m.external_id) out.externalId = m.external_id;
    const userName = m.user_name ?? m.email;
    if (userName) out.userName = userName;
    out.name = compact({
      formatted: m.name,
      familyName: m.last_name,
      givenName: m.first_name,
      middleName: m.middle_name,
      honorificPrefix: m.honorific_prefix,
      honorificSuffix: m.honorific_suffix,
    });
    out.displayName = m.display_name ?? m.name;
    for (const [key, value] of [
      ['nickName', m.nick_name],
      ['profileUrl', m.profile_url],
      ['title', m.title],
      ['userType', m.user_type],
      ['preferredLanguage', m.preferred_language],
      ['locale', m.locale],
      ['timezone', m.timezone],
    ] as const) {
      if (text(value) !== undefined) out[key] = value;
    }
    out.active = m.state !== 'deactivated';
    for (const list of ['emails', 'phoneNumbers', 'addresses', 'photos'] as const) {
      const values = currentList(m, list);
      if (values.length) out[list] = values;
    }
    const groups = groupsOf.get(m.id);
    if (groups) out.groups = groups;
    const extensions: Partial<Record<ExtensionKey, Record<string, unknown> | undefined>> = {
      enterprise: compact({
        employeeNumber: m.employee_number,
        costCenter: m.cost_center,
        organization: m.organization,
        division: m.division,
        department: m.department,
        manager: m.manager_id ? compact({ managerId: m.manager_id, value: m.manager_id, $ref: `${p.base}/Users/${m.manager_id}`, displayName: managerNames.get(m.manager_id) }) : undefined,
      }),
      starttermdates: compact({ startDate: seconds(m.start_time), termDate: seconds(m.term_time) }),
      accountstatusdetails: accountStatus(p, m, inviteOf.get(m.id)),
      authmethod: m.auth_method ? { [flavourName(p.flavour, 'authmethod', 'authMethod')]: m.auth_method } : undefined,
      frontline: { is_frontline: m.is_frontline === 1 },
    };
    for (const [key, value] of Object.entries(extensions) as [ExtensionKey, Record<string, unknown> | undefined][]) {
      if (!value) continue;
      (out.schemas as string[]).push(urn[key]);
      out[urn[key]] = value;
    }
    const meta: Record<string, unknown> = p.flavour === '2.0' ? { resourceType: 'User' } : {};
    out.meta = { ...meta, created: iso(m.created_time), lastModified: iso(m.updated_time), location: `${p.base}/Users/${m.id}`, version: etagOf(m.updated_time) };
    return out;
  });
}

function accountStatus(p: ScimPresentation, m: MemberRow, invite: { token_sealed: string; access_code_sealed: string } | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { invited: m.invited_time !== null, claimed: m.claimed_time !== null };
  if (m.invited_time !== null) out.inviteDate = seconds(m.invited_time);
  if (m.claimed_time !== null) out.claimDate = seconds(m.claimed_time);
  if (invite && m.state === 'invited') {
    const opened = openInvite(p.ctx, invite);
    if (p.linkBase) out.claimLink = claimLink(p.linkBase, opened.token);
    out.accessCode = opened.accessCode;
  }
  return out;
}
