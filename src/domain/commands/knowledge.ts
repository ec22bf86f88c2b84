import { lockKey } from '../../db/database.js';
import { findGroupsByIds } from '../../db/repositories/group.js';
import {
  deleteCategories,
  deleteQuickLink,
  childCategories,
  descendantIds,
  findCategoryById,
  insertCategory,
  insertKnowledgeMedia,
  insertQuickLink,
  nextCategoryIndex,
  nextQuickLinkIndex,
  setKnowledgeEditor,
  updateCategory,
  updateQuickLink,
  type KnowledgeCategoryRow,
  type QuickLinkRow,
} from '../../db/repositories/knowledge.js';
import type { MediaRow } from '../../db/repositories/media.js';
import { findMembersByIds, type MemberRow } from '../../db/repositories/member.js';
import { photoUploader } from './media.js';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { safeHref } from '../../markdown.js';
import { auditActor } from '../actor.js';
import { diff, recordChange } from '../events.js';
import {
  type Audience,
  blocksText,
  defaultAudience,
  enumValue,
  KNOWLEDGE_COLORS,
  KNOWLEDGE_ICONS,
  KNOWLEDGE_STATUSES,
  parseAudience,
  parseJsonContent,
  searchTextOf,
} from '../knowledge.js';
import type { Write } from './shared.js';

// Knowledge Library writes, shared by the Graph API and the member app's editor. Workplace has no
// webhook topic for the Knowledge Library: each change writes its rows and one audit event.

/** A category write as sent: strings as given, `json_content` and `read_audience` as JSON values. */
export interface CategoryInput {
  title?: string;
  content?: string;
  json_content?: unknown;
  status?: string;
  color?: string;
  icon?: string;
  read_audience?: unknown;
  /** Moves the category under another one; null or "" makes it a root category. */
  parent_id?: string | null;
  /** Its position among its (new) siblings, from 0; past the end means last. */
  order_index?: number;
}

const MAX_TITLE = 200;
const MAX_CONTENT = 200_000;

type CategoryFields = Pick<KnowledgeCategoryRow, 'title' | 'content' | 'json_content' | 'status' | 'color' | 'icon' | 'audience_type' | 'audience_groups' | 'audience_users' | 'audience_conditions'>;

function title(raw: string): string {
  const t = raw.trim().replace(/\s+/g, ' ');
  if (!t || t.length > MAX_TITLE) throw invalidParameter(`The parameter title takes 1 to ${MAX_TITLE} characters`);
  return t;
}

async function checkedAudience(w: Write, audience: Audience): Promise<Audience> {
  if (audience.groups.length) {
    const found = new Set((await findGroupsByIds(w.trx, audience.groups)).map((g) => g.id));
    const missing = audience.groups.find((g) => !found.has(g));
    if (missing) throw invalidParameter(`read_audience.groups names ${missing}, which is not a group`);
  }
  if (audience.static_users.length) {
    const found = new Set((await findMembersByIds(w.trx, audience.static_users)).map((m) => m.id));
    const missing = audience.static_users.find((m) => !found.has(m));
    if (missing) throw invalidParameter(`read_audience.static_users names ${missing}, which is not a member`);
  }
  return audience;
}

/** The columns an input sets, checked (enums case-insensitively); only what the input names. */
async function fieldsOf(w: Write, input: CategoryInput, isRoot: boolean): Promise<Partial<CategoryFields>> {
  const out: Partial<CategoryFields> = {};
  if (input.title !== undefined) out.title = title(input.title);
  if (input.json_content !== undefined && input.json_content !== null && input.json_content !== '') {
    const blocks = parseJsonContent(input.json_content);
    out.json_content = JSON.stringify(blocks);
    out.content = input.content ?? blocksText(blocks);
  } else if (input.content !== undefined) {
    out.content = input.content;
    out.json_content = null;
  }
  if (out.content !== undefined && out.content.length > MAX_CONTENT) throw invalidParameter(`The parameter content takes at most ${MAX_CONTENT} characters`);
  if (input.status !== undefined) out.status = enumValue('status', input.status, KNOWLEDGE_STATUSES);
  if (input.color !== undefined) out.color = input.color === '' ? null : enumValue('color', input.color, KNOWLEDGE_COLORS);
  if (input.icon !== undefined) out.icon = input.icon === '' ? null : enumValue('icon', input.icon, KNOWLEDGE_ICONS);
  if (input.read_audience !== undefined) {
    const a = await checkedAudience(w, parseAudience(input.read_audience, isRoot));
    out.audience_type = a.audience_type;
    out.audience_groups = JSON.stringify(a.groups);
    out.audience_users = JSON.stringify(a.static_users);
    out.audience_conditions = JSON.stringify(a.profile_set_conditions);
  }
  return out;
}

function editor(w: Write) {
  const who = auditActor(w.actor);
  return { last_editor_type: who.actor_type, last_editor_id: who.actor_id };
}

/** Creates a category at the end of its parent's children (a root category when `parent` is null). */
export async function categoryCreator(w: Write, parent: KnowledgeCategoryRow | null, input: CategoryInput): Promise<KnowledgeCategoryRow> {
  if (input.title === undefined) throw invalidParameter('The parameter title is required');
  const fields = await fieldsOf(w, input, parent === null);
  await lockKey(w.trx, `knowledge_category:${parent?.id ?? 'root'}`);
  const now = w.ctx.clock.now();
  const audience = defaultAudience(parent === null);
  const row: KnowledgeCategoryRow = {
    id: newId(),
    parent_id: parent?.id ?? null,
    order_index: await nextCategoryIndex(w.trx, parent?.id ?? null),
    title: fields.title!,
    content: fields.content ?? '',
    json_content: fields.json_content ?? null,
    status: fields.status ?? 'PUBLISHED',
    color: fields.color ?? null,
    icon: fields.icon ?? null,
    audience_type: fields.audience_type ?? audience.audience_type,
    audience_groups: fields.audience_groups ?? '[]',
    audience_users: fields.audience_users ?? '[]',
    audience_conditions: fields.audience_conditions ?? '[]',
    search_text: '',
    ...editor(w),
    created_time: now,
    last_updated: now,
  };
  row.search_text = searchTextOf(row.title, row.content);
  await insertCategory(w.trx, row);
  await recordChange(w.trx, w.ctx, w.actor, {
    action: 'knowledge.category_created',
    target: { type: 'knowledge_category', id: row.id },
    new: { title: row.title, parent_id: row.parent_id, status: row.status, audience_type: row.audience_type },
  });
  return row;
}

/**
 * Where a category goes when an update names `parent_id` or `order_index`: its new parent (never
 * itself or one below it) and its position there. Null when it stays where it is.
 */
async function placementOf(w: Write, row: KnowledgeCategoryRow, input: CategoryInput): Promise<{ parentId: string | null; index: number } | null> {
  if (input.parent_id === undefined && input.order_index === undefined) return null;
  const parentId = input.parent_id === undefined ? row.parent_id : input.parent_id === null || input.parent_id === '' ? null : input.parent_id;
  if (parentId !== null) {
    if (parentId === row.id) throw invalidParameter('A category cannot be its own parent');
    if (!(await findCategoryById(w.trx, parentId))) throw invalidParameter(`parent_id ${parentId} is not a Knowledge Library category`);
    if ((await descendantIds(w.trx, row.id)).includes(parentId)) throw invalidParameter(`parent_id ${parentId} is under this category: moving it there would make a cycle`);
  }
  const siblings = (await childCategories(w.trx, parentId)).filter((c) => c.id !== row.id);
  const index = Math.min(input.order_index ?? (parentId === row.parent_id ? row.order_index : siblings.length), siblings.length);
  if (parentId === row.parent_id && index === row.order_index) return null;
  return { parentId, index };
}

/** Puts a category at `index` among its new parent's children and closes the gap it left (positions stay 0…n-1). */
async function place(w: Write, row: KnowledgeCategoryRow, to: { parentId: string | null; index: number }): Promise<void> {
  const parents = [...new Set([row.parent_id ?? 'root', to.parentId ?? 'root'])].sort();
  for (const key of parents) await lockKey(w.trx, `knowledge_category:${key}`);
  if (to.parentId !== row.parent_id) {
    const left = (await childCategories(w.trx, row.parent_id)).filter((c) => c.id !== row.id);
    await renumber(w, left, row.parent_id);
  }
  const siblings = (await childCategories(w.trx, to.parentId)).filter((c) => c.id !== row.id);
  siblings.splice(to.index, 0, row);
  await renumber(w, siblings, to.parentId);
}

/** Writes positions 0…n-1 (and the parent) of a list of siblings, where they differ. */
async function renumber(w: Write, rows: readonly KnowledgeCategoryRow[], parentId: string | null): Promise<void> {
  for (const [i, r] of rows.entries()) {
    if (r.order_index !== i || r.parent_id !== parentId) await updateCategory(w.trx, r.id, { order_index: i, parent_id: parentId });
  }
}

/** Updates the fields the input names, and moves or reorders the category. False (and nothing written) when nothing changes. */
export async function categoryUpdater(w: Write, row: KnowledgeCategoryRow, input: CategoryInput): Promise<boolean> {
  const placement = await placementOf(w, row, input);
  const becomesRoot = placement ? placement.parentId === null : row.parent_id === null;
  const fields = await fieldsOf(w, input, becomesRoot);
  // A subcategory that inherited its audience and becomes a root has no parent to inherit from: everyone may read it, as new roots.
  if (becomesRoot && row.parent_id !== null && input.read_audience === undefined && row.audience_type === 'INHERIT') fields.audience_type = 'EVERYONE';
  const changes = diff(row, fields);
  if (!changes && !placement) return false;
  const next = { ...row, ...fields };
  if (placement) await place(w, row, placement);
  await updateCategory(w.trx, row.id, { ...fields, search_text: searchTextOf(next.title, next.content), ...editor(w), last_updated: w.ctx.clock.now() });
  if (!changes) {
    await recordChange(w.trx, w.ctx, w.actor, {
      action: 'knowledge.category_updated',
      target: { type: 'knowledge_category', id: row.id },
      old: { parent_id: row.parent_id, order_index: row.order_index },
      new: { parent_id: placement!.parentId, order_index: placement!.index },
    });
    return true;
  }
  if (placement) {
    Object.assign(changes.old, { parent_id: row.parent_id, order_index: row.order_index });
    Object.assign(changes.new, { parent_id: placement.parentId, order_index: placement.index });
  }
  const trimmed = (v: Partial<CategoryFields>) => ({ ...v, ...(v.content !== undefined ? { content: v.content.slice(0, 500) } : {}), ...(v.json_content !== undefined ? { json_content: v.json_content === null ? null : '(block tree)' } : {}) });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'knowledge.category_updated', target: { type: 'knowledge_category', id: row.id }, old: trimmed(changes.old), new: trimmed(changes.new) });
  return true;
}

/** Deletes a category with every subcategory under it. */
export async function categoryDeleter(w: Write, row: KnowledgeCategoryRow): Promise<void> {
  const below = await descendantIds(w.trx, row.id);
  await deleteCategories(w.trx, [row.id, ...below]);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'knowledge.category_deleted', target: { type: 'knowledge_category', id: row.id }, old: { title: row.title, parent_id: row.parent_id, subcategories: below } });
}

/**
 * Adds a photo to a category, by URL or upload (the photo code and media store of posts): the
 * photo, its place in the category and one audit event. The category counts as edited.
 */
export async function categoryPhotoAdder(w: Write, category: KnowledgeCategoryRow, input: { url?: string; file?: { data: Buffer }; caption?: string }): Promise<MediaRow> {
  const media = await photoUploader(w, { ...input, published: true, groupId: null });
  const now = w.ctx.clock.now();
  await insertKnowledgeMedia(w.trx, category.id, media.id, now);
  await updateCategory(w.trx, category.id, { ...editor(w), last_updated: now });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'knowledge.media_added', target: { type: 'knowledge_category', id: category.id }, new: { photo: media.id, url: media.source_url, file: media.file_name } });
  return media;
}

/** A quick link write as sent. */
export interface QuickLinkInput {
  title?: string;
  link?: string;
}

function quickLinkFields(input: QuickLinkInput): Partial<Pick<QuickLinkRow, 'title' | 'link'>> {
  const out: Partial<Pick<QuickLinkRow, 'title' | 'link'>> = {};
  if (input.title !== undefined) out.title = title(input.title);
  if (input.link !== undefined) {
    const href = safeHref(input.link);
    if (!href || !/^https?:\/\/[^/\s]+/i.test(href) || href.length > 2000) throw invalidParameter('The parameter link must be an http(s) URL of at most 2000 characters');
    out.link = href;
  }
  return out;
}

export async function quickLinkCreator(w: Write, input: QuickLinkInput): Promise<QuickLinkRow> {
  if (input.title === undefined) throw invalidParameter('The parameter title is required');
  if (input.link === undefined) throw invalidParameter('The parameter link is required');
  const fields = quickLinkFields(input);
  await lockKey(w.trx, 'knowledge_quick_link');
  const now = w.ctx.clock.now();
  const row: QuickLinkRow = { id: newId(), title: fields.title!, link: fields.link!, order_index: await nextQuickLinkIndex(w.trx), created_time: now, updated_time: now };
  await insertQuickLink(w.trx, row);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'knowledge.quick_link_created', target: { type: 'knowledge_quick_link', id: row.id }, new: { title: row.title, link: row.link } });
  return row;
}

/** False (and nothing written) when nothing changes. */
export async function quickLinkUpdater(w: Write, row: QuickLinkRow, input: QuickLinkInput): Promise<boolean> {
  const changes = diff(row, quickLinkFields(input));
  if (!changes) return false;
  await updateQuickLink(w.trx, row.id, { ...changes.new, updated_time: w.ctx.clock.now() });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'knowledge.quick_link_updated', target: { type: 'knowledge_quick_link', id: row.id }, old: changes.old, new: changes.new });
  return true;
}

export async function quickLinkDeleter(w: Write, row: QuickLinkRow): Promise<void> {
  await deleteQuickLink(w.trx, row.id);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'knowledge.quick_link_deleted', target: { type: 'knowledge_quick_link', id: row.id }, old: { title: row.title, link: row.link } });
}

/** Makes a member a Knowledge Library editor, or takes the role away. False when nothing changes. */
export async function knowledgeEditorSetter(w: Write, member: MemberRow, isEditor: boolean): Promise<boolean> {
  if (isEditor && member.state === 'deactivated') throw invalidParameter(`Member ${member.id} is deactivated`);
  if (!(await setKnowledgeEditor(w.trx, member.id, isEditor, w.ctx.clock.now()))) return false;
  await recordChange(w.trx, w.ctx, w.actor, { action: isEditor ? 'knowledge.editor_granted' : 'knowledge.editor_revoked', target: { type: 'member', id: member.id } });
  return true;
}
