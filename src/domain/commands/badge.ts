import {
  deleteBadgeAwards,
  deleteMemberBadge,
  findCustomBadge,
  findMemberBadge,
  insertCustomBadge,
  insertMemberBadge,
  updateCustomBadge,
  type CustomBadgeRow,
} from '../../db/repositories/badge.js';
import type { MemberRow } from '../../db/repositories/member.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { auditActor } from '../actor.js';
import { BADGE_CATEGORIES, BADGE_ICONS, type Badge, builtInBadges, customBadge, customBadgeId } from '../badges.js';
import { diff, recordChange } from '../events.js';
import type { Write } from './shared.js';

/** The badge a `badge=` value names: a built-in key (any case) or `workplace_custom#{id}`. */
export async function findBadge(w: Pick<Write, 'trx'>, key: string): Promise<Badge | undefined> {
  const trimmed = key.trim();
  const custom = customBadgeId(trimmed);
  if (custom) {
    const row = await findCustomBadge(w.trx, custom);
    return row ? customBadge(row) : undefined;
  }
  return builtInBadges.find((b) => b.id === trimmed.toLowerCase());
}

async function badgeOrThrow(w: Write, key: string): Promise<Badge> {
  if (!key.trim()) throw invalidParameter('The parameter badge is required');
  const badge = await findBadge(w, key);
  if (!badge) throw invalidParameter(`Unknown badge ${key}: give a built-in badge (GET /community/badges) or workplace_custom#{id}`);
  return badge;
}

/** Puts a badge on a member's profile. False when they already hold it. */
export async function badgeAwarder(w: Write, member: MemberRow, key: string): Promise<boolean> {
  const badge = await badgeOrThrow(w, key);
  if (member.state === 'deactivated') throw invalidParameter(`Member ${member.id} is deactivated`);
  if (await findMemberBadge(w.trx, member.id, badge.id)) return false;
  const who = auditActor(w.actor);
  await insertMemberBadge(w.trx, { member_id: member.id, badge: badge.id, awarded_by_type: who.actor_type, awarded_by_id: who.actor_id, awarded_time: w.ctx.clock.now() });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'badge.awarded', target: { type: 'member', id: member.id }, new: { badge: badge.id } });
  return true;
}

/** Takes a badge off a member's profile. False when they did not hold it. */
export async function badgeRevoker(w: Write, member: MemberRow, key: string): Promise<boolean> {
  const badge = await badgeOrThrow(w, key);
  if (!(await findMemberBadge(w.trx, member.id, badge.id))) return false;
  await deleteMemberBadge(w.trx, member.id, badge.id);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'badge.revoked', target: { type: 'member', id: member.id }, old: { badge: badge.id } });
  return true;
}

export interface CustomBadgeInput {
  name?: string;
  description?: string;
  icon?: string;
  category?: string;
}

function checked(input: CustomBadgeInput): CustomBadgeInput {
  const out: CustomBadgeInput = {};
  if (input.name !== undefined) {
    out.name = input.name.trim();
    if (!out.name || out.name.length > 80) throw invalidParameter('A badge name takes 1 to 80 characters');
  }
  if (input.description !== undefined) {
    out.description = input.description.trim();
    if (out.description.length > 500) throw invalidParameter('A badge description takes at most 500 characters');
  }
  if (input.icon !== undefined) {
    out.icon = input.icon.toLowerCase();
    if (!(BADGE_ICONS as readonly string[]).includes(out.icon)) throw invalidParameter(`icon must be one of ${BADGE_ICONS.join(', ')}`);
  }
  if (input.category !== undefined) {
    out.category = input.category.toUpperCase();
    if (!(BADGE_CATEGORIES as readonly string[]).includes(out.category)) throw invalidParameter(`category must be one of ${BADGE_CATEGORIES.join(', ')}`);
  }
  return out;
}

/** Adds a custom badge to the catalogue (admin panel). */
export async function customBadgeCreator(w: Write, input: CustomBadgeInput): Promise<CustomBadgeRow> {
  const fields = checked(input);
  if (!fields.name) throw invalidParameter('A badge needs a name');
  const now = w.ctx.clock.now();
  const row: CustomBadgeRow = {
    id: newId(),
    name: fields.name,
    description: fields.description ?? '',
    icon: fields.icon ?? 'star',
    category: fields.category ?? 'CUSTOM',
    deleted_time: null,
    created_time: now,
    updated_time: now,
  };
  await insertCustomBadge(w.trx, row);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'badge.created', target: { type: 'badge', id: row.id }, new: customBadge(row) });
  return row;
}

/** Changes a custom badge. False when nothing changed. */
export async function customBadgeUpdater(w: Write, row: CustomBadgeRow, input: CustomBadgeInput): Promise<boolean> {
  const change = diff(row, checked(input));
  if (!change) return false;
  await updateCustomBadge(w.trx, row.id, { ...change.new, updated_time: Math.max(w.ctx.clock.now(), row.updated_time + 1) });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'badge.updated', target: { type: 'badge', id: row.id }, ...change });
  return true;
}

/** Retires a custom badge: it leaves the catalogue and every profile that held it. */
export async function customBadgeDeleter(w: Write, row: CustomBadgeRow): Promise<void> {
  if (row.deleted_time !== null) throw new AppError('unknown_object', `No badge with id ${row.id}`);
  const now = w.ctx.clock.now();
  await updateCustomBadge(w.trx, row.id, { deleted_time: now, updated_time: now });
  const holders = await deleteBadgeAwards(w.trx, customBadge(row).id);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'badge.deleted', target: { type: 'badge', id: row.id }, old: { ...customBadge(row), holders } });
}
