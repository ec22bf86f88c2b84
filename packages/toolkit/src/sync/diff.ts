import { SCIM_URN, type ScimPatchOperation, type ScimUser } from '@commonplace/sdk';
import type { PersonField, SourcePerson } from './people.js';

// The diff between a source and the SCIM users: who to create, which attributes changed,
// who left, who came back, and whose manager to set once everyone exists.

const ENT = SCIM_URN.enterprise;

/** How each attribute reads from and writes to a SCIM User. */
const ATTRIBUTES: Record<
  Exclude<PersonField, 'email' | 'manager' | 'active'>,
  /** derived: the server fills the attribute in when it is empty, so an empty source value is not a change. */
  { path: string; read: (u: ScimUser) => string | undefined; value?: (v: string) => unknown; derived?: boolean }
> = {
  external_id: { path: 'externalId', read: (u) => u.externalId },
  first_name: { path: 'name.givenName', read: (u) => u.name?.givenName },
  last_name: { path: 'name.familyName', read: (u) => u.name?.familyName },
  display_name: { path: 'displayName', read: (u) => u.displayName, derived: true },
  title: { path: 'title', read: (u) => u.title },
  department: { path: `${ENT}:department`, read: (u) => u[ENT]?.department },
  division: { path: `${ENT}:division`, read: (u) => u[ENT]?.division },
  organization: { path: `${ENT}:organization`, read: (u) => u[ENT]?.organization },
  cost_center: { path: `${ENT}:costCenter`, read: (u) => u[ENT]?.costCenter },
  employee_number: { path: `${ENT}:employeeNumber`, read: (u) => u[ENT]?.employeeNumber },
  phone: { path: 'phoneNumbers', read: (u) => (u.phoneNumbers?.find((p) => p.primary) ?? u.phoneNumbers?.[0])?.value, value: (v) => [{ value: v, type: 'work', primary: true }] },
  locale: { path: 'locale', read: (u) => u.locale },
  timezone: { path: 'timezone', read: (u) => u.timezone },
};

export interface AttributeChange {
  field: string;
  from: string | null;
  to: string | null;
}

export type Change =
  | { kind: 'create'; email: string; origin: string; user: ScimUser }
  | { kind: 'update'; email: string; id: string; changes: AttributeChange[]; operations: ScimPatchOperation[] }
  | { kind: 'reactivate'; email: string; id: string; changes: AttributeChange[]; operations: ScimPatchOperation[] }
  | { kind: 'deactivate'; email: string; id: string; reason: 'left' | 'inactive in source' }
  | { kind: 'manager'; email: string; id: string | undefined; from: string | null; to: string | null; managerId: string | null };

export interface Plan {
  create: Extract<Change, { kind: 'create' }>[];
  update: Extract<Change, { kind: 'update' }>[];
  reactivate: Extract<Change, { kind: 'reactivate' }>[];
  deactivate: Extract<Change, { kind: 'deactivate' }>[];
  manager: Extract<Change, { kind: 'manager' }>[];
  warnings: string[];
}

/** Which existing users a sync may deactivate when the source no longer lists them. */
export type LeaverScope = 'managed' | 'all' | 'none';

const clean = (v: string | undefined | null) => (v === undefined || v === null || v.trim() === '' ? null : v.trim());
const emailOf = (u: ScimUser) => (u.emails?.find((e) => e.primary) ?? u.emails?.[0])?.value ?? u.userName;

/** The externalId the sync gives a person: the source's own id, else the email (so later runs know whom they manage). */
const externalIdOf = (p: SourcePerson) => clean(p.attributes.external_id) ?? p.email;

function newUser(p: SourcePerson, fields: Set<PersonField>): ScimUser {
  const user: ScimUser = { userName: p.email, externalId: externalIdOf(p), emails: [{ value: p.email, type: 'work', primary: true }], active: true };
  const name: Record<string, string> = {};
  const ent: Record<string, string> = {};
  for (const [field, def] of Object.entries(ATTRIBUTES) as [keyof typeof ATTRIBUTES, (typeof ATTRIBUTES)[keyof typeof ATTRIBUTES]][]) {
    if (!fields.has(field) || field === 'external_id') continue;
    const v = clean(p.attributes[field]);
    if (v === null) continue;
    if (def.path.startsWith('name.')) name[def.path.slice(5)] = v;
    else if (def.path.startsWith(`${ENT}:`)) ent[def.path.slice(ENT.length + 1)] = v;
    else user[def.path] = def.value ? def.value(v) : v;
  }
  if (Object.keys(name).length) user.name = name;
  if (Object.keys(ent).length) user[ENT] = ent;
  return user;
}

function attributeChanges(p: SourcePerson, u: ScimUser, fields: Set<PersonField>): { changes: AttributeChange[]; operations: ScimPatchOperation[] } {
  const changes: AttributeChange[] = [];
  const operations: ScimPatchOperation[] = [];
  const currentEmail = clean(emailOf(u))?.toLowerCase() ?? null;
  if (currentEmail !== p.email || (u.userName ?? '').toLowerCase() !== p.email) {
    changes.push({ field: 'email', from: currentEmail, to: p.email });
    operations.push({ op: 'replace', path: 'userName', value: p.email }, { op: 'replace', path: 'emails', value: [{ value: p.email, type: 'work', primary: true }] });
  }
  const wantedExternal = externalIdOf(p);
  if (clean(u.externalId) !== wantedExternal) {
    changes.push({ field: 'external_id', from: clean(u.externalId), to: wantedExternal });
    operations.push({ op: 'replace', path: 'externalId', value: wantedExternal });
  }
  for (const [field, def] of Object.entries(ATTRIBUTES) as [keyof typeof ATTRIBUTES, (typeof ATTRIBUTES)[keyof typeof ATTRIBUTES]][]) {
    if (!fields.has(field) || field === 'external_id') continue;
    const to = clean(p.attributes[field]);
    const from = clean(def.read(u));
    if (to === from || (to === null && def.derived)) continue;
    changes.push({ field, from, to });
    operations.push(to === null ? { op: 'remove', path: def.path } : { op: 'replace', path: def.path, value: def.value ? def.value(to) : to });
  }
  return { changes, operations };
}

/**
 * Computes the plan. Source people are matched to users by externalId, then userName/email
 * (case-insensitive). Managers are resolved among everyone the source lists (by email,
 * external id or employee number) and set in a phase of their own, after the creates.
 */
export function computePlan(people: readonly SourcePerson[], fields: Set<PersonField>, users: readonly ScimUser[], scope: LeaverScope = 'managed'): Plan {
  const plan: Plan = { create: [], update: [], reactivate: [], deactivate: [], manager: [], warnings: [] };
  const byExternal = new Map<string, ScimUser>();
  const byEmail = new Map<string, ScimUser>();
  for (const u of users) {
    if (u.externalId) byExternal.set(u.externalId, u);
    for (const e of [u.userName, ...(u.emails ?? []).map((x) => x.value)]) if (e) byEmail.set(e.toLowerCase(), u);
  }
  const matched = new Map<SourcePerson, ScimUser | undefined>();
  const claimed = new Set<string>();
  for (const p of people) {
    let u = byExternal.get(externalIdOf(p));
    if (!u || claimed.has(u.id!)) u = byEmail.get(p.email);
    if (u && claimed.has(u.id!)) u = undefined;
    if (u) claimed.add(u.id!);
    matched.set(p, u);
  }
  for (const p of people) {
    const u = matched.get(p);
    if (!u) {
      if (p.active) plan.create.push({ kind: 'create', email: p.email, origin: p.origin, user: newUser(p, fields) });
      continue;
    }
    if (!p.active) {
      if (u.active !== false) plan.deactivate.push({ kind: 'deactivate', email: p.email, id: u.id!, reason: 'inactive in source' });
      continue;
    }
    const { changes, operations } = attributeChanges(p, u, fields);
    if (u.active === false) plan.reactivate.push({ kind: 'reactivate', email: p.email, id: u.id!, changes, operations: [...operations, { op: 'replace', path: 'active', value: true }] });
    else if (operations.length) plan.update.push({ kind: 'update', email: p.email, id: u.id!, changes, operations });
  }
  if (scope !== 'none') {
    for (const u of users) {
      if (claimed.has(u.id!) || u.active === false) continue;
      if (scope === 'managed' && !u.externalId) continue;
      plan.deactivate.push({ kind: 'deactivate', email: (emailOf(u) ?? u.id!).toLowerCase(), id: u.id!, reason: 'left' });
    }
  }
  if (fields.has('manager')) planManagers(plan, people, matched);
  return plan;
}

function planManagers(plan: Plan, people: readonly SourcePerson[], matched: Map<SourcePerson, ScimUser | undefined>): void {
  const lookup = new Map<string, SourcePerson>();
  for (const p of people) {
    for (const key of [p.attributes.employee_number, p.attributes.external_id]) if (key) lookup.set(key.trim().toLowerCase(), p);
  }
  for (const p of people) lookup.set(p.email, p);
  for (const p of people) {
    if (!p.active || p.manager === undefined) continue;
    const u = matched.get(p);
    const currentId = u?.[ENT]?.manager?.value ?? u?.[ENT]?.manager?.managerId ?? null;
    const manager = p.manager ? lookup.get(p.manager) : undefined;
    if (p.manager && !manager) {
      plan.warnings.push(`${p.origin}: manager ${JSON.stringify(p.manager)} of ${p.email} is not in the source; manager left as it is`);
      continue;
    }
    if (manager === p) {
      plan.warnings.push(`${p.origin}: ${p.email} is listed as their own manager; ignored`);
      continue;
    }
    if (manager && !manager.active) {
      plan.warnings.push(`${p.origin}: manager ${manager.email} of ${p.email} is inactive in the source; manager left as it is`);
      continue;
    }
    const managerUser = manager ? matched.get(manager) : undefined;
    const wantedId = manager ? (managerUser?.id ?? null) : null;
    if (manager && !managerUser) {
      // The manager is created by this run: the id is known only after the creates.
      plan.manager.push({ kind: 'manager', email: p.email, id: u?.id, from: currentId, to: manager.email, managerId: null });
    } else if (wantedId !== currentId) {
      plan.manager.push({ kind: 'manager', email: p.email, id: u?.id, from: currentId, to: manager?.email ?? null, managerId: wantedId });
    }
  }
}

export const planSize = (plan: Plan) => plan.create.length + plan.update.length + plan.reactivate.length + plan.deactivate.length + plan.manager.length;
