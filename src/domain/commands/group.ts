import { deleteMembershipHistory } from '../../db/repositories/groupMembershipHistory.js';
import { deleteGroup, findGroupById, findMembership, type GroupRow, insertGroup, insertMembership, updateGroup } from '../../db/repositories/group.js';
import { findMemberById } from '../../db/repositories/member.js';
import { deletePostsCascade, postIdsOfFeed } from '../../db/repositories/post.js';
import { deleteEvents, eventIdsOfGroup } from '../../db/repositories/groupEvent.js';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { diff, recordChange } from '../events.js';
import { photoUploader } from './media.js';
import type { Write } from './shared.js';

export const PRIVACIES = ['OPEN', 'CLOSED', 'SECRET'] as const;
export const PURPOSES = ['WORK_ANNOUNCEMENT', 'WORK_FEEDBACK', 'WORK_TEAMWORK', 'WORK_SOCIAL', 'WORK_MULTI_COMPANY', 'WORK_FOR_SALE', 'WORK_TEAM', 'CASUAL', 'CLUB', 'NONE'] as const;
export const POST_PERMISSIONS = ['NONE', 'ADMIN_ONLY'] as const;
export const JOIN_SETTINGS = ['NONE', 'ANYONE', 'ADMIN_ONLY'] as const;

export interface GroupFields {
  name?: string;
  description?: string | null;
  privacy?: GroupRow['privacy'];
  purpose?: string | null;
  post_permissions?: GroupRow['post_permissions'];
  join_setting?: GroupRow['join_setting'];
  post_requires_admin_approval?: boolean;
  archived?: boolean;
  cover_url?: string | null;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidParameter('A group needs a name');
  if (trimmed.length > 200) throw invalidParameter('A group name has at most 200 characters');
  return trimmed;
}

function checkCover(url: string | null | undefined): string | null | undefined {
  if (url === undefined || url === null || url === '') return url === '' ? null : url;
  if (!/^https?:\/\/\S+$/i.test(url)) throw invalidParameter('cover_url must be an http(s) URL');
  return url;
}

/**
 * The stored photo of a cover given by URL: fetched once through the egress policy (as Workplace
 * copied covers), kept unpublished in the group and served by signed links. A cover that cannot
 * be fetched refuses the change with Graph's error, as a photo by URL does.
 */
async function coverPhoto(w: Write, groupId: string, url: string | null): Promise<string | null> {
  if (url === null) return null;
  return (await photoUploader(w, { url, published: false, groupId })).id;
}

/** Creates a group; `adminId` (a member) becomes its first admin and owner. */
export async function groupCreator(w: Write, input: GroupFields & { name: string; adminId?: string }): Promise<GroupRow> {
  const { ctx, actor, trx } = w;
  const now = ctx.clock.now();
  const id = newId();
  const coverUrl = checkCover(input.cover_url) ?? null;
  let ownerId = actor.kind === 'member' ? actor.memberId : actor.kind === 'system' ? null : authorOf(actor).id;
  if (input.adminId) {
    const admin = await findMemberById(trx, input.adminId);
    if (!admin || admin.state === 'deactivated') throw invalidParameter(`admin ${input.adminId} is not an active member`);
    ownerId = admin.id;
  }
  const row: GroupRow = {
    id,
    name: checkName(input.name),
    description: input.description ?? null,
    privacy: input.privacy ?? 'CLOSED',
    purpose: input.purpose ?? null,
    post_permissions: input.post_permissions ?? 'NONE',
    join_setting: input.join_setting ?? 'NONE',
    post_requires_admin_approval: input.post_requires_admin_approval ? 1 : 0,
    archived: input.archived ? 1 : 0,
    cover_url: coverUrl,
    cover_media_id: await coverPhoto(w, id, coverUrl),
    owner_id: ownerId,
    created_time: now,
    updated_time: now,
  };
  if (row.purpose === 'WORK_MULTI_COMPANY' && row.privacy === 'OPEN') throw invalidParameter('A multi-company group cannot be OPEN');
  await insertGroup(trx, row);
  const events = [];
  if (input.adminId) {
    await insertMembership(trx, { group_id: row.id, member_id: input.adminId, role: 'admin', joined_time: now });
    events.push(membershipEvent(row.id, input.adminId, 'add', actor, now));
  }
  await recordChange(trx, ctx, actor, { action: 'group.created', target: { type: 'group', id: row.id }, new: row, events });
  return row;
}

/** Updates a group's settings (including archive); a no-op writes nothing. */
export async function groupUpdater(w: Write, group: GroupRow, input: GroupFields): Promise<boolean> {
  const { ctx, actor, trx } = w;
  const cover = checkCover(input.cover_url);
  const newCover = cover !== undefined && (cover !== group.cover_url || (cover !== null && group.cover_media_id === null));
  const next: Partial<GroupRow> = {
    name: input.name === undefined ? undefined : checkName(input.name),
    description: input.description,
    privacy: input.privacy,
    purpose: input.purpose,
    post_permissions: input.post_permissions,
    join_setting: input.join_setting,
    post_requires_admin_approval: input.post_requires_admin_approval === undefined ? undefined : input.post_requires_admin_approval ? 1 : 0,
    archived: input.archived === undefined ? undefined : input.archived ? 1 : 0,
    cover_url: cover,
    cover_media_id: newCover ? await coverPhoto(w, group.id, cover) : undefined,
  };
  const changes = diff(group, next);
  if (!changes) return false;
  const merged = { ...group, ...changes.new };
  if (merged.purpose === 'WORK_MULTI_COMPANY' && merged.privacy === 'OPEN') throw invalidParameter('A multi-company group cannot be OPEN');
  await updateGroup(trx, group.id, { ...changes.new, updated_time: ctx.clock.now() });
  await recordChange(trx, ctx, actor, { action: 'group.updated', target: { type: 'group', id: group.id }, ...changes });
  return true;
}

/** Deletes a group with its content (what happens when its last member leaves). */
export async function groupDeleter({ ctx, actor, trx }: Write, groupId: string): Promise<void> {
  const group = await findGroupById(trx, groupId);
  if (!group) return;
  await deletePostsCascade(trx, await postIdsOfFeed(trx, groupId));
  await deleteEvents(trx, await eventIdsOfGroup(trx, groupId));
  await deleteGroup(trx, groupId);
  await deleteMembershipHistory(trx, groupId);
  await recordChange(trx, ctx, actor, { action: 'group.deleted', target: { type: 'group', id: groupId }, old: group });
}

/** The `group`/`membership` webhook value. */
export function membershipEvent(groupId: string, memberId: string, verb: 'add' | 'remove', actor: Write['actor'], time: number) {
  const actorId = actor.kind === 'member' ? actor.memberId : actor.kind === 'system' ? null : authorOf(actor).id;
  return {
    topic: 'group' as const,
    field: 'membership' as const,
    entryId: groupId,
    orderingKey: groupId,
    value: { verb, group_id: groupId, member: { id: memberId }, member_id: memberId, actor_id: actorId, update_time: Math.floor(time / 1000) },
  };
}

export async function isGroupMember(trx: Write['trx'], groupId: string, memberId: string): Promise<boolean> {
  return (await findMembership(trx, groupId, memberId)) !== undefined;
}
