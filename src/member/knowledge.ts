import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { findCategoryById, listQuickLinks, type KnowledgeCategoryRow, mediaOfCategories } from '../db/repositories/knowledge.js';
import { photoUrl } from '../presenters/memberApp.js';
import { findMembersByIds } from '../db/repositories/member.js';
import { findGroupsByIds } from '../db/repositories/group.js';
import type { MemberActor } from '../domain/actor.js';
import { categoryCreator, categoryDeleter, categoryPhotoAdder, categoryUpdater, type CategoryInput, quickLinkCreator, quickLinkDeleter } from '../domain/commands/knowledge.js';
import type { Write } from '../domain/commands/shared.js';
import { audienceOf, categoryDocument } from '../domain/knowledge.js';
import { isKnowledgeLibraryEditor, readableCategories } from '../domain/knowledgeAccess.js';
import { findQuickLinksByIds } from '../db/repositories/knowledge.js';
import { AppError, invalidParameter } from '../errors.js';
import { webErrorHandler } from '../http/webErrors.js';
import type { MemberAuth } from './routes.js';

/** A photo for a page arrives as a data: URL in JSON (up to 10 MB of image). */
const PHOTO_BODY_LIMIT = 16 * 1024 * 1024;

// The member app's Knowledge Library under /api/knowledge: the tree a member may read, a page as
// safe nodes, search by title and text, and the editor's writes (system admins and Knowledge
// Library editors), through the same commands and audience rules as the Graph API.

type Body = Record<string, unknown>;
const iso = (ms: number) => new Date(ms).toISOString();
const noSuchPage = () => new AppError('unknown_object', 'No such Knowledge Library page');

function summary(c: KnowledgeCategoryRow) {
  return { id: c.id, parent_id: c.parent_id, title: c.title, status: c.status, color: c.color, icon: c.icon, order_index: c.order_index };
}

function inputOf(b: Body): CategoryInput {
  const text = (name: string) => {
    const v = b[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalidParameter(`${name} must be a string`);
    return v;
  };
  const order = b.order_index;
  if (order !== undefined && order !== null && !(Number.isInteger(order) && (order as number) >= 0)) throw invalidParameter('order_index must be a whole number from 0');
  return {
    title: text('title'),
    content: text('content'),
    status: text('status'),
    color: text('color'),
    icon: text('icon'),
    json_content: b.json_content ?? undefined,
    read_audience: b.read_audience ?? undefined,
    parent_id: b.parent_id === undefined ? undefined : b.parent_id === null ? null : text('parent_id'),
    order_index: typeof order === 'number' ? order : undefined,
  };
}

/** The excerpt of a page around the first match, for search results. */
function excerpt(c: KnowledgeCategoryRow, q: string): string {
  const text = c.content.replace(/\s+/g, ' ').trim();
  const at = text.toLowerCase().indexOf(q);
  if (at < 0) return text.slice(0, 160);
  const start = Math.max(0, at - 60);
  return `${start > 0 ? '…' : ''}${text.slice(start, at + q.length + 100)}${at + q.length + 100 < text.length ? '…' : ''}`;
}

export async function registerMemberKnowledgeApi(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => ctx.db.transaction().execute((trx) => fn({ ctx, actor, trx }));
  const readable = async (actor: MemberActor) => readableCategories(ctx.db, actor);
  const readableOne = async (actor: MemberActor, id: string) => {
    const row = (await readable(actor)).find((c) => c.id === id);
    if (!row) throw noSuchPage();
    return row;
  };
  const editorOnly = async (actor: MemberActor) => {
    if (!(await isKnowledgeLibraryEditor(ctx.db, actor.memberId))) throw new AppError('action_not_allowed', 'Only system admins and Knowledge Library editors edit the Knowledge Library');
  };

  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('member api'));

      api.get('/knowledge', async (request: FastifyRequest) => {
        const { actor } = await auth.member(request);
        const [rows, links, canEdit] = await Promise.all([readable(actor), listQuickLinks(ctx.db), isKnowledgeLibraryEditor(ctx.db, actor.memberId)]);
        return { can_edit: canEdit, categories: rows.map(summary), quick_links: links.map((l) => ({ id: l.id, title: l.title, link: l.link })) };
      });

      api.get('/knowledge/search', async (request) => {
        const { actor } = await auth.member(request);
        const q = String((request.query as Record<string, unknown>).q ?? '').trim().toLowerCase();
        if (!q) return { data: [] };
        if (q.length > 200) throw invalidParameter('A search takes at most 200 characters');
        const hits = (await readable(actor)).filter((c) => c.search_text.includes(q));
        hits.sort((a, b) => Number(!a.title.toLowerCase().includes(q)) - Number(!b.title.toLowerCase().includes(q)));
        return { data: hits.slice(0, 50).map((c) => ({ ...summary(c), excerpt: excerpt(c, q) })) };
      });

      api.get('/knowledge/:id', async (request) => {
        const { actor } = await auth.member(request);
        const row = await readableOne(actor, (request.params as { id: string }).id);
        const canEdit = await isKnowledgeLibraryEditor(ctx.db, actor.memberId);
        const editorId = row.last_editor_type === 'member' || row.last_editor_type === 'admin' ? row.last_editor_id : null;
        const [[editor], media] = await Promise.all([editorId ? findMembersByIds(ctx.db, [editorId]) : Promise.resolve([]), mediaOfCategories(ctx.db, [row.id])]);
        const page = {
          ...summary(row),
          photos: (media.get(row.id) ?? []).map((m) => ({ id: m.id, url: photoUrl(ctx, m), caption: m.caption })),
          last_updated: iso(row.last_updated),
          last_editor: editor ? { id: editor.id, name: editor.name } : null,
          document: categoryDocument(row),
        };
        if (!canEdit) return page;
        const audience = audienceOf(row);
        const [groups, users] = await Promise.all([findGroupsByIds(ctx.db, audience.groups), findMembersByIds(ctx.db, audience.static_users)]);
        return {
          ...page,
          content: row.content,
          has_json_content: row.json_content !== null,
          read_audience: { ...audience, groups: groups.map((g) => ({ id: g.id, name: g.name })), static_users: users.map((m) => ({ id: m.id, name: m.name })) },
        };
      });

      api.post('/knowledge', async (request) => {
        const { actor } = await auth.member(request);
        await editorOnly(actor);
        const b = (request.body ?? {}) as Body;
        const parentId = b.parent_id === undefined || b.parent_id === null || b.parent_id === '' ? null : String(b.parent_id);
        const parent = parentId ? await readableOne(actor, parentId) : null;
        const row = await write(actor, (w) => categoryCreator(w, parent, inputOf(b)));
        return summary(row);
      });

      api.post('/knowledge/:id', async (request) => {
        const { actor } = await auth.member(request);
        await editorOnly(actor);
        const row = await readableOne(actor, (request.params as { id: string }).id);
        await write(actor, (w) => categoryUpdater(w, row, inputOf((request.body ?? {}) as Body)));
        return summary((await findCategoryById(ctx.db, row.id))!);
      });

      api.post('/knowledge/:id/photos', { bodyLimit: PHOTO_BODY_LIMIT }, async (request) => {
        const { actor } = await auth.member(request);
        await editorOnly(actor);
        const row = await readableOne(actor, (request.params as { id: string }).id);
        const b = (request.body ?? {}) as Body;
        const data = typeof b.data === 'string' && b.data ? b.data : undefined;
        if (!data) throw invalidParameter('data (the photo as a data: URL or base64) is required');
        const caption = typeof b.caption === 'string' && b.caption ? b.caption : undefined;
        const base64 = data.startsWith('data:') ? data.slice(data.indexOf(',') + 1) : data;
        const media = await write(actor, (w) => categoryPhotoAdder(w, row, { file: { data: Buffer.from(base64, 'base64') }, caption }));
        return { id: media.id, url: photoUrl(ctx, media), caption: media.caption };
      });

      api.delete('/knowledge/:id', async (request) => {
        const { actor } = await auth.member(request);
        await editorOnly(actor);
        const row = await readableOne(actor, (request.params as { id: string }).id);
        await write(actor, (w) => categoryDeleter(w, row));
        return { deleted: true };
      });

      api.post('/knowledge_quick_links', async (request) => {
        const { actor } = await auth.member(request);
        await editorOnly(actor);
        const b = (request.body ?? {}) as Body;
        const row = await write(actor, (w) => quickLinkCreator(w, { title: typeof b.title === 'string' ? b.title : undefined, link: typeof b.link === 'string' ? b.link : undefined }));
        return { id: row.id, title: row.title, link: row.link };
      });

      api.delete('/knowledge_quick_links/:id', async (request) => {
        const { actor } = await auth.member(request);
        await editorOnly(actor);
        const [row] = await findQuickLinksByIds(ctx.db, [(request.params as { id: string }).id]);
        if (!row) throw new AppError('unknown_object', 'No such quick link');
        await write(actor, (w) => quickLinkDeleter(w, row));
        return { deleted: true };
      });
    },
    { prefix: '/api' },
  );
}
