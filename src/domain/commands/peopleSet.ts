import { type Db, lockKey } from '../../db/database.js';
import { findMembersByIds } from '../../db/repositories/member.js';
import {
  addSetMembers,
  deletePeopleSet,
  findPeopleSetHolder,
  insertPeopleSet,
  type PeopleSetRow,
  removeSetMembers,
  setMemberIds,
  updatePeopleSet,
} from '../../db/repositories/peopleSet.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { recordChange } from '../events.js';
import type { IdentifierRules } from './account.js';
import type { Write } from './shared.js';

// People sets (SCIM Groups): named sets of accounts an identity system keeps in sync.

export interface PeopleSetFields {
  displayName?: string;
  externalId?: string | null;
}

/** Membership changes: `replace` sets the whole list; otherwise `add` and `remove`. */
export interface MembershipChange {
  replace?: readonly string[];
  add?: readonly string[];
  remove?: readonly string[];
}

const CHUNK = 500;

function checkName(name: string | undefined): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw invalidParameter('A people set needs a displayName');
  if (trimmed.length > 255) throw invalidParameter('displayName is longer than 255 characters');
  return trimmed;
}

async function checkUnique(trx: Db, displayName: string | undefined, externalId: string | null | undefined, rules: IdentifierRules, exceptId?: string): Promise<void> {
  const uniqueExternalId = rules === 'workplace' ? externalId : undefined;
  if (uniqueExternalId) await lockKey(trx, `people_set.external_id:${uniqueExternalId}`);
  const holder = await findPeopleSetHolder(trx, { displayNameLower: displayName?.toLowerCase(), externalId: uniqueExternalId }, exceptId);
  if (holder) {
    const value = holder.field === 'displayName' ? displayName : externalId;
    throw new AppError('conflict', `(#100) ${holder.field} "${value}" is already used by people set ${holder.id}`, { existingId: holder.id, field: holder.field });
  }
}

/** The ids that name no account, in the order given. */
async function unknownMembers(trx: Db, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const known = new Set<string>();
  for (let i = 0; i < unique.length; i += CHUNK) {
    const valid = unique.slice(i, i + CHUNK).filter((id) => /^\d{1,20}$/.test(id));
    for (const m of await findMembersByIds(trx, valid)) known.add(m.id);
  }
  return unique.filter((id) => !known.has(id));
}

async function applyMembership({ ctx, actor, trx }: Write, set: PeopleSetRow, change: MembershipChange): Promise<{ added: string[]; removed: string[] }> {
  const wanted = [...(change.replace ?? []), ...(change.add ?? [])];
  const missing = await unknownMembers(trx, wanted);
  if (missing.length) throw invalidParameter(`Not a user: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''} (a group's members must be existing user ids)`);
  const current = new Set(await setMemberIds(trx, set.id));
  let added: string[];
  let removed: string[];
  if (change.replace) {
    const next = new Set(change.replace);
    added = [...next].filter((id) => !current.has(id));
    removed = [...current].filter((id) => !next.has(id));
  } else {
    added = [...new Set(change.add ?? [])].filter((id) => !current.has(id));
    removed = [...new Set(change.remove ?? [])].filter((id) => current.has(id));
  }
  const now = ctx.clock.now();
  for (let i = 0; i < added.length; i += CHUNK) await addSetMembers(trx, set.id, added.slice(i, i + CHUNK), now);
  for (let i = 0; i < removed.length; i += CHUNK) await removeSetMembers(trx, set.id, removed.slice(i, i + CHUNK));
  if (added.length || removed.length) {
    await recordChange(trx, ctx, actor, { action: 'people_set.members_changed', target: { type: 'people_set', id: set.id }, old: { removed }, new: { added } });
  }
  return { added, removed };
}

/** Creates a set; `rules` says whether externalId must be unique (Workplace) or may be shared (RFC 7643). */
export async function peopleSetCreator(w: Write, fields: PeopleSetFields, members: readonly string[], rules: IdentifierRules = 'workplace'): Promise<PeopleSetRow> {
  const { ctx, actor, trx } = w;
  const displayName = checkName(fields.displayName);
  const externalId = fields.externalId?.trim() || null;
  await checkUnique(trx, displayName, externalId, rules);
  const now = ctx.clock.now();
  const row: PeopleSetRow = { id: newId(), display_name: displayName, display_name_lower: displayName.toLowerCase(), external_id: externalId, created_time: now, updated_time: now };
  if (!(await insertPeopleSet(trx, row))) {
    await checkUnique(trx, displayName, externalId, rules);
    throw new AppError('conflict', '(#100) A people set with this displayName or externalId was created at the same time');
  }
  await recordChange(trx, ctx, actor, { action: 'people_set.created', target: { type: 'people_set', id: row.id }, new: { display_name: displayName, external_id: externalId } });
  if (members.length) await applyMembership(w, row, { add: members });
  return row;
}

/** Renames a set, changes its external id and/or its members; returns the new row. */
export async function peopleSetUpdater(w: Write, set: PeopleSetRow, fields: PeopleSetFields, membership?: MembershipChange, rules: IdentifierRules = 'workplace'): Promise<PeopleSetRow> {
  const { ctx, actor, trx } = w;
  const changes: Partial<PeopleSetRow> = {};
  if (fields.displayName !== undefined) {
    const name = checkName(fields.displayName);
    if (name !== set.display_name) Object.assign(changes, { display_name: name, display_name_lower: name.toLowerCase() });
  }
  if (fields.externalId !== undefined) {
    const externalId = fields.externalId?.trim() || null;
    if (externalId !== set.external_id) changes.external_id = externalId;
  }
  await checkUnique(trx, changes.display_name, changes.external_id, rules, set.id);
  const now = ctx.clock.now();
  const bump = { updated_time: Math.max(now, set.updated_time + 1) };
  let row = set;
  if (Object.keys(changes).length) {
    await updatePeopleSet(trx, set.id, { ...changes, ...bump });
    const old = { display_name: set.display_name, external_id: set.external_id };
    const keys = Object.keys(changes).filter((k) => k !== 'display_name_lower') as (keyof typeof old)[];
    await recordChange(trx, ctx, actor, {
      action: 'people_set.updated',
      target: { type: 'people_set', id: set.id },
      old: Object.fromEntries(keys.map((k) => [k, old[k]])),
      new: Object.fromEntries(keys.map((k) => [k, changes[k]])),
    });
    row = { ...row, ...changes, ...bump };
  }
  if (membership) {
    const { added, removed } = await applyMembership(w, row, membership);
    if ((added.length || removed.length) && row.updated_time === set.updated_time) {
      await updatePeopleSet(trx, set.id, bump);
      row = { ...row, ...bump };
    }
  }
  return row;
}

export async function peopleSetDeleter({ ctx, actor, trx }: Write, set: PeopleSetRow): Promise<void> {
  await deletePeopleSet(trx, set.id);
  await recordChange(trx, ctx, actor, { action: 'people_set.deleted', target: { type: 'people_set', id: set.id }, old: { display_name: set.display_name, external_id: set.external_id } });
}
