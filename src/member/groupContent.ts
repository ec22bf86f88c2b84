import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { findDocsByIds, listDocRevisions, listGroupDocs, type DocRow } from '../db/repositories/doc.js';
import { findGroupById, findMembership, type GroupRow } from '../db/repositories/group.js';
import { findGroupFilesByIds, listGroupFiles, type GroupFileRow } from '../db/repositories/groupFile.js';
import { findMemberRequest, listMemberRequests } from '../db/repositories/groupMembershipHistory.js';
import { listGroupAlbums } from '../db/repositories/album.js';
import { listGroupPhotos } from '../db/repositories/media.js';
import { listGroupVideos, type VideoRow } from '../db/repositories/video.js';
import { videoCreator, videoKeys } from '../domain/commands/video.js';
import { findMembersByIds } from '../db/repositories/member.js';
import { findPostsByIds } from '../db/repositories/post.js';
import type { Position } from '../db/keyset.js';
import type { MemberActor } from '../domain/actor.js';
import { docCreator, docDeleter, docUpdater } from '../domain/commands/doc.js';
import { groupFileUpload, groupFileUploader } from '../domain/commands/groupFile.js';
import { groupMemberAdder, memberRequestCreator, memberRequestDecliner } from '../domain/commands/groupMembership.js';
import { postCreator } from '../domain/commands/post.js';
import type { Write } from '../domain/commands/shared.js';
import { AppError, invalidParameter } from '../errors.js';
import { webErrorHandler } from '../http/webErrors.js';
import { isSpooledFile } from '../http/uploads.js';
import { newId } from '../ids.js';
import { authorizeContentRemoval, authorizeMember, type GroupAccess, memberMay } from '../policies/member.js';
import { loadProfileRefs, memberRefs, photoUrl } from '../presenters/memberApp.js';
import { groupFilePath } from '../graph/nodes/group_file/type.js';
import { videoPath } from '../graph/nodes/video/type.js';
import type { MemberAuth } from './routes.js';

// The member app's group content under /api: files (upload spooled to disk, signed downloads),
// docs (sanitized HTML, revisions), videos, photos and albums, and requests to join. Writes go through
// the same commands as the Graph API; every rule is in policies/member.ts.

type Body = Record<string, unknown>;
const iso = (ms: number) => new Date(ms).toISOString();
const numeric = (id: string | undefined) => !!id && /^\d{1,20}$/.test(id);
const PAGE = 50;

/** A text field of a JSON body or of a multipart form (whose fields arrive as parts). */
function text(body: unknown, name: string): string | undefined {
  const v = body && typeof body === 'object' ? (body as Body)[name] : undefined;
  const value = v && typeof v === 'object' && 'value' in (v as Body) && (v as Body).type === 'field' ? (v as Body).value : v;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string`);
  return value;
}

/** `?cursor=` as the member app pages: `{sort}_{id}` of the last row shown. */
function cursorOf(request: FastifyRequest): Position | undefined {
  const c = (request.query as Record<string, string | undefined>).cursor;
  const m = c ? /^(\d{1,16})_(\d{1,20})$/.exec(c) : null;
  return m ? { sort: Number(m[1]), id: m[2] } : undefined;
}
const nextOf = <R>(page: { rows: R[]; hasNext: boolean }, position: (r: R) => string) => (page.hasNext && page.rows.length ? position(page.rows[page.rows.length - 1]) : null);

export async function registerMemberGroupContentApi(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => ctx.db.transaction().execute((trx) => fn({ ctx, actor, trx }));
  const access = async (memberId: string, groupId: string | undefined): Promise<GroupAccess & { group: GroupRow }> => {
    const group = numeric(groupId) ? await findGroupById(ctx.db, groupId!) : undefined;
    if (!group) throw new AppError('unknown_object', 'No such group');
    const membership = await findMembership(ctx.db, group.id, memberId);
    return { group, role: membership?.role ?? null };
  };
  const groupParam = (request: FastifyRequest) => (request.params as Record<string, string>).id;

  const fileView = (f: GroupFileRow, from: Map<string, unknown>, messages: Map<string, string | null>) => ({
    id: f.id,
    name: f.name,
    size: f.size,
    mime_type: f.mime_type,
    url: groupFilePath(ctx, f),
    is_image: f.mime_type.startsWith('image/'),
    from: from.get(f.owner_id) ?? null,
    message: f.post_id ? messages.get(f.post_id) ?? null : null,
    created_time: iso(f.created_time),
    updated_time: iso(f.updated_time),
  });
  const presentFiles = async (files: GroupFileRow[]) => {
    const [from, posts] = await Promise.all([loadProfileRefs(ctx, files.map((f) => f.owner_id)), findPostsByIds(ctx.db, files.flatMap((f) => (f.post_id ? [f.post_id] : [])))]);
    const messages = new Map(posts.map((p) => [p.id, p.message]));
    return files.map((f) => fileView(f, from, messages));
  };
  const videoView = (v: VideoRow, from: Map<string, unknown>) => ({
    id: v.id,
    title: v.title,
    description: v.description,
    source: v.source_url ?? videoPath(ctx, v),
    mime_type: v.mime_type,
    from: from.get(v.owner_id) ?? null,
    created_time: iso(v.created_time),
  });
  const docView = async (d: DocRow, a: GroupAccess, memberId: string) => {
    const from = await loadProfileRefs(ctx, [d.owner_id]);
    return {
      id: d.id,
      group_id: d.group_id,
      title: d.title,
      body: d.body,
      revision: d.revision,
      from: from.get(d.owner_id) ?? null,
      created_time: iso(d.created_time),
      updated_time: iso(d.updated_time),
      can_edit: memberMay(a, 'post'),
      can_delete: d.owner_id === memberId || memberMay(a, 'moderate'),
    };
  };
  const loadDoc = async (memberId: string, id: string | undefined) => {
    const [doc] = numeric(id) ? await findDocsByIds(ctx.db, [id!]) : [];
    const a = doc && (await access(memberId, doc.group_id));
    if (!doc || !a || !memberMay(a, 'read')) throw new AppError('unknown_object', 'No such doc');
    const [post] = await findPostsByIds(ctx.db, [doc.post_id]);
    return { doc, post: post!, access: a };
  };

  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('member api'));

      // Requests to join
      api.get('/groups/:id/join_request', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'see');
        return { requested: !!(await findMemberRequest(ctx.db, a.group.id, member.id)), can_request: memberMay(a, 'request') };
      });
      api.post('/groups/:id/join_request', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'request');
        await write(actor, (w) => memberRequestCreator(w, a.group, member.id));
        return { requested: true };
      });
      api.delete('/groups/:id/join_request', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'see');
        await write(actor, (w) => memberRequestDecliner(w, a.group, member.id));
        return { requested: false };
      });
      api.get('/groups/:id/member_requests', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'moderate');
        const page = await listMemberRequests(ctx.db, a.group.id, { limit: 200, order: 'asc' });
        const members = new Map((await findMembersByIds(ctx.db, page.rows.map((r) => r.member_id))).map((m) => [m.id, m]));
        const rows = page.rows.filter((r) => members.has(r.member_id));
        const refs = await memberRefs(ctx, rows.map((r) => members.get(r.member_id)!));
        return { data: rows.map((r, i) => ({ ...refs[i], requested_time: iso(r.requested_time) })) };
      });
      api.post('/groups/:id/member_requests/:member', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'moderate');
        const who = (request.params as Record<string, string>).member;
        if (!numeric(who) || !(await findMemberRequest(ctx.db, a.group.id, who))) throw invalidParameter('That person has not asked to join this group');
        await write(actor, (w) => groupMemberAdder(w, a.group, who, 'member'));
        return { success: true };
      });
      api.delete('/groups/:id/member_requests/:member', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'moderate');
        const who = (request.params as Record<string, string>).member;
        if (numeric(who)) await write(actor, (w) => memberRequestDecliner(w, a.group, who));
        return { success: true };
      });

      // Files
      api.get('/groups/:id/files', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'read');
        const page = await listGroupFiles(ctx.db, a.group.id, { limit: PAGE, order: 'desc', after: cursorOf(request) });
        return { data: await presentFiles(page.rows), next: nextOf(page, (f) => `${f.updated_time}_${f.id}`) };
      });
      api.post('/groups/:id/files', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'post');
        const part = (request.body as Body | undefined)?.file;
        const file = part && typeof part === 'object' && 'value' in (part as Body) ? (part as Body).value : part;
        if (!request.isMultipart() || !isSpooledFile(file)) throw invalidParameter('Send the file as a multipart/form-data part named file');
        const message = text(request.body, 'message');
        const input = { id: newId(), file };
        await groupFileUpload(ctx, input, () =>
          write(actor, async (w) => {
            await groupFileUploader(w, input);
            await postCreator(w, { feedId: a.group.id, feedType: 'group', message, fileIds: [input.id], allowDuplicate: true });
          }),
        );
        const [row] = await findGroupFilesByIds(ctx.db, [input.id]);
        return (await presentFiles([row]))[0];
      });

      // Docs
      api.get('/groups/:id/docs', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'read');
        const page = await listGroupDocs(ctx.db, a.group.id, { limit: PAGE, order: 'desc', after: cursorOf(request) });
        const from = await loadProfileRefs(ctx, page.rows.map((d) => d.owner_id));
        return {
          data: page.rows.map((d) => ({ id: d.id, title: d.title, revision: d.revision, from: from.get(d.owner_id) ?? null, updated_time: iso(d.updated_time) })),
          next: nextOf(page, (d) => `${d.updated_time}_${d.id}`),
          can_create: memberMay(a, 'post'),
        };
      });
      api.post('/groups/:id/docs', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'post');
        const { doc } = await write(actor, (w) => docCreator(w, a.group, { title: text(request.body, 'title'), body: text(request.body, 'body') }));
        return docView(doc, a, member.id);
      });
      api.get('/docs/:id', async (request) => {
        const { member } = await auth.member(request);
        const { doc, access: a } = await loadDoc(member.id, groupParam(request));
        const revisions = await listDocRevisions(ctx.db, doc.id, { limit: 100, order: 'desc' });
        const editors = await loadProfileRefs(ctx, revisions.rows.map((r) => r.editor_id));
        return { ...(await docView(doc, a, member.id)), revisions: revisions.rows.map((r) => ({ revision: r.revision, title: r.title, from: editors.get(r.editor_id) ?? null, created_time: iso(r.created_time) })) };
      });
      api.put('/docs/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const { doc, post, access: a } = await loadDoc(member.id, groupParam(request));
        authorizeMember(a, 'post');
        await write(actor, (w) => docUpdater(w, doc, post, { title: text(request.body, 'title'), body: text(request.body, 'body') }));
        const [updated] = await findDocsByIds(ctx.db, [doc.id]);
        return docView(updated, a, member.id);
      });
      api.delete('/docs/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const { doc, post, access: a } = await loadDoc(member.id, groupParam(request));
        authorizeContentRemoval(a, member.id, doc.owner_id);
        await write(actor, (w) => docDeleter(w, doc, post));
        return { success: true };
      });

      // Videos
      api.get('/groups/:id/videos', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'read');
        const page = await listGroupVideos(ctx.db, a.group.id, { limit: PAGE, order: 'desc', after: cursorOf(request) });
        const from = await loadProfileRefs(ctx, page.rows.map((v) => v.owner_id));
        return { data: page.rows.map((v) => videoView(v, from)), next: nextOf(page, (v) => `${v.created_time}_${v.id}`) };
      });
      api.post('/groups/:id/videos', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'post');
        const part = (request.body as Body | undefined)?.file;
        const file = part && typeof part === 'object' && 'value' in (part as Body) ? (part as Body).value : part;
        if (!request.isMultipart() || !isSpooledFile(file)) throw invalidParameter('Send the video as a multipart/form-data part named file');
        const input = { id: newId(), file, title: text(request.body, 'title'), description: text(request.body, 'description') };
        let video: VideoRow;
        try {
          video = await write(actor, (w) => videoCreator(w, a.group, input));
        } catch (error) {
          for (const key of videoKeys(input.id)) await ctx.media.delete(key).catch(() => undefined);
          throw error;
        }
        return videoView(video, await loadProfileRefs(ctx, [video.owner_id]));
      });

      // Photos and albums
      api.get('/groups/:id/photos', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, groupParam(request));
        authorizeMember(a, 'read');
        const [photos, albums] = await Promise.all([
          listGroupPhotos(ctx.db, a.group.id, { limit: PAGE, order: 'desc', after: cursorOf(request) }),
          listGroupAlbums(ctx.db, a.group.id, { limit: PAGE, order: 'desc' }),
        ]);
        return {
          data: photos.rows.map((m) => ({ id: m.id, url: photoUrl(ctx, m), caption: m.caption, album_id: m.album_id ?? null, width: m.width ?? null, height: m.height ?? null, created_time: iso(m.created_time) })),
          albums: albums.rows.map((al) => ({ id: al.id, name: al.name, description: al.description })),
          next: nextOf(photos, (m) => `${m.created_time}_${m.id}`),
        };
      });
    },
    { prefix: '/api' },
  );
}
