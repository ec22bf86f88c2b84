import type { Context } from '../context.js';
import { insertPage, updatePage } from '../db/repositories/app.js';
import { findGroupById } from '../db/repositories/group.js';
import {
  countHookRequest,
  findHookByKeyHash,
  findHookPersona,
  findHookThread,
  type IncomingHookRow,
  insertHookDelivery,
  recordHookUse,
  saveHookThread,
} from '../db/repositories/incomingHook.js';
import { insertMedia } from '../db/repositories/media.js';
import { findPostById, type PostRow } from '../db/repositories/post.js';
import { commentCreator } from '../domain/commands/comment.js';
import { chatFileStorer, loadThread, messageSender } from '../domain/commands/chat.js';
import { hookActor } from '../domain/commands/incomingHook.js';
import { postCreator, postUpdater, postWireId } from '../domain/commands/post.js';
import { photoUploader } from '../domain/commands/media.js';
import { MAX_REMOTE_FILES, optionalRemoteFile, optionalRemoteFiles, transact, type Write } from '../domain/commands/shared.js';
import { sniffImage, storeMediaFile } from '../domain/media.js';
import { normalizePicture } from '../domain/picture.js';
import { sha256Hex } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { type Alert, mergeAlerts, parseAlertNotification, renderAlertGroup } from './alertmanager.js';
import { renderGithubEvent, verifyGithubSignature } from './github.js';
import type { FetchedFile } from '../media/remote.js';
import { parseSlackPayload, SlackRefusal, MAX_TEXT, type SlackAnswer, type SlackImage, slackImages } from './slack.js';

/** Largest request body a hook reads (Slack's own limit is near this). */
export const MAX_HOOK_BODY = 1024 * 1024;
const EXCERPT = 2048;

export interface HookRequest {
  key: string;
  body: Buffer;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface HookAnswer {
  status: number;
  body: SlackAnswer;
  retryAfter?: number;
}

/** What a payload asks to post, before it is written. */
interface Rendered {
  /** The text; with images, as it reads when none of them could be attached (each a link). */
  markdown: string;
  /** Slack images to fetch and attach, and the text given the ones attached. */
  images?: { list: SlackImage[]; markdown: (attached: ReadonlySet<string>) => string };
  event?: string;
  threadTs?: string;
  username?: string;
  iconUrl?: string;
  /** Alertmanager: the group whose post is kept up to date. */
  alertGroup?: { key: string; alerts: Alert[] };
}

const header = (headers: HookRequest['headers'], name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function answer(name: SlackAnswer, retryAfter?: number): HookAnswer {
  return { status: new SlackRefusal(name).status, body: name, ...(retryAfter ? { retryAfter } : {}) };
}

async function render(ctx: Context, hook: IncomingHookRow, request: Omit<HookRequest, 'key'>, previous: (key: string) => Promise<Alert[]>): Promise<Rendered | null> {
  const raw = request.body.toString('utf8');
  const options = { allowBroadcast: hook.allow_broadcast === 1 };
  switch (hook.source) {
    case 'slack': {
      const message = parseSlackPayload(raw, request.contentType);
      if (message.text && message.text.length > MAX_TEXT) throw new SlackRefusal('request_too_large', `text has at most ${MAX_TEXT} characters`);
      const images = slackImages(message, options);
      const markdown = images.markdown(new Set());
      if (!markdown.trim()) throw new SlackRefusal('no_text');
      return { markdown, images: { list: images.images, markdown: images.markdown }, threadTs: message.threadTs, username: message.username, iconUrl: message.iconUrl };
    }
    case 'github': {
      const secret = hook.signing_secret_sealed ? ctx.secrets.open(hook.signing_secret_sealed) : undefined;
      if (secret && !verifyGithubSignature(secret, request.body, header(request.headers, 'x-hub-signature-256'))) throw new SlackRefusal('invalid_token', 'X-Hub-Signature-256 is missing or wrong');
      const event = header(request.headers, 'x-github-event');
      if (!event) throw new SlackRefusal('invalid_payload', 'X-GitHub-Event is missing');
      const json = request.contentType.includes('application/x-www-form-urlencoded') ? new URLSearchParams(raw).get('payload') ?? '' : raw;
      let payload: unknown;
      try {
        payload = JSON.parse(json);
      } catch {
        throw new SlackRefusal('invalid_payload', 'the body is not JSON');
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new SlackRefusal('invalid_payload');
      const markdown = renderGithubEvent(event, payload as Record<string, unknown>);
      return markdown === null ? null : { markdown, event };
    }
    case 'alertmanager': {
      const notification = parseAlertNotification(raw);
      const alerts = mergeAlerts(await previous(notification.groupKey), notification);
      return { markdown: renderAlertGroup(notification, alerts), event: notification.status, alertGroup: { key: notification.groupKey, alerts } };
    }
  }
}

/** The page a post appears from: the hook's, or a persona named by the payload when allowed. */
const personaName = (hook: IncomingHookRow, rendered: Rendered) => (hook.allow_overrides ? rendered.username?.trim().slice(0, 100) : undefined) || undefined;

/** The persona icon a request asks for, when the hook allows overrides. */
function personaIcon(hook: IncomingHookRow, rendered: Rendered): string | undefined {
  return personaName(hook, rendered) && rendered.iconUrl && /^https?:\/\/\S+$/i.test(rendered.iconUrl) ? rendered.iconUrl : undefined;
}

async function authorPage(w: Write, hook: IncomingHookRow, rendered: Rendered): Promise<{ id: string; name: string }> {
  const { trx, ctx } = w;
  const username = personaName(hook, rendered);
  if (!username) return { id: hook.page_id, name: hook.name };
  let page = await findHookPersona(trx, hook.id, username);
  const now = ctx.clock.now();
  if (!page) {
    page = { id: newId(), app_id: hook.id, name: username, picture_media_id: null, created_time: now };
    await insertPage(trx, page);
  }
  // An icon that cannot be fetched leaves the persona without one; the post still goes out.
  const iconUrl = personaIcon(hook, rendered);
  const icon = iconUrl ? await optionalRemoteFile(w, iconUrl, 'image') : undefined;
  const picture = icon && (await normalizePicture(icon.data).catch(() => undefined));
  if (picture) {
    const mediaId = newId();
    const kind = sniffImage(picture)!;
    const fileName = await storeMediaFile(ctx.media, mediaId, kind.ext, picture, kind.mime);
    await insertMedia(trx, { id: mediaId, owner_id: page.id, owner_type: 'page', kind: 'photo', source_url: iconUrl!, file_name: fileName, mime_type: kind.mime, size: picture.length, caption: null, published: 1, group_id: null, created_time: now });
    await updatePage(trx, page.id, { picture_media_id: mediaId });
  }
  return { id: page.id, name: username };
}

/** The post `thread_ts` names in the hook's group: `{group}_{post}` or the post id. */
async function threadPost(trx: Write['trx'], hook: IncomingHookRow, threadTs: string): Promise<PostRow | undefined> {
  const id = threadTs.includes('_') ? threadTs.split('_')[1] : threadTs;
  if (!/^\d{1,20}$/.test(id)) return undefined;
  const post = await findPostById(trx, id);
  return post && post.feed_id === hook.target_id ? post : undefined;
}

/**
 * A Slack message's images (at most `max`), fetched together through the egress policy and kept
 * by `store` (photos of the post, or files of the chat message). One that cannot be fetched, or
 * beyond the request's limit of files given by URL (the persona's icon counts), stays in the text
 * as a link: the post goes out either way.
 */
async function attachImages(w: Write, rendered: Rendered, max: number, store: (file: FetchedFile, image: SlackImage) => Promise<string>): Promise<{ ids: string[]; markdown: string }> {
  if (!rendered.images?.list.length) return { ids: [], markdown: rendered.markdown };
  const images = rendered.images.list.slice(0, max);
  const files = await optionalRemoteFiles(w, images.map((i) => i.url), 'image');
  const ids: string[] = [];
  const attached = new Set<string>();
  for (const [i, image] of images.entries()) {
    const file = files[i];
    if (!file) continue;
    ids.push(await store(file, image));
    attached.add(image.url);
  }
  return { ids, markdown: rendered.images.markdown(attached) };
}

const plainAlt = (alt: string) => alt.replace(/\\(.)/g, '$1').slice(0, 500) || undefined;

/** Writes what a request asked for; returns the id of what was written and the text it wrote. */
async function write(w: Write, hook: IncomingHookRow, rendered: Rendered): Promise<{ id: string; markdown: string }> {
  // The icon and the images are fetched together, before anything is stored (a fetch runs the write again).
  const icon = personaIcon(hook, rendered);
  await optionalRemoteFiles(w, [...(icon ? [icon] : []), ...(rendered.images?.list ?? []).map((i) => i.url)], 'image');
  const page = await authorPage(w, hook, rendered);
  const as: Write = { ...w, actor: hookActor(hook, page.id, page.name) };
  const photo = (file: FetchedFile, image: SlackImage) => photoUploader(as, { file, caption: plainAlt(image.alt), published: false, groupId: hook.target_type === 'group' ? hook.target_id : null }).then((m) => m.id);
  if (hook.target_type === 'thread') {
    const state = await loadThread(w.trx, hook.target_id);
    if (!state) throw new SlackRefusal('channel_is_archived');
    const sender = { id: page.id, type: 'page' as const, name: page.name };
    const { ids, markdown } = await attachImages(as, rendered, MAX_REMOTE_FILES, async (file, image) => (await chatFileStorer(as, sender, { type: 'image', file: { filename: file.name, data: file.data }, url: image.url })).id);
    const message = await messageSender(as, state, sender, { text: markdown || null, quickReplies: [], attachments: ids.map((id) => ({ type: 'image', payload: { attachment_id: id } })) });
    return { id: `m_${message.id}`, markdown };
  }
  if (rendered.alertGroup) {
    const known = await findHookThread(w.trx, hook.id, rendered.alertGroup.key);
    const existing = known ? await findPostById(w.trx, known.post_id) : undefined;
    let post = existing;
    if (existing) await postUpdater({ ...as, actor: hookActor(hook, existing.author_id, hook.name) }, existing, { message: rendered.markdown, formatting: 'MARKDOWN' });
    else post = await postCreator(as, { feedId: hook.target_id, feedType: 'group', message: rendered.markdown, formatting: 'MARKDOWN', allowDuplicate: true });
    await saveHookThread(w.trx, { hook_id: hook.id, external_key: rendered.alertGroup.key, post_id: post!.id, state: JSON.stringify(rendered.alertGroup.alerts), updated_time: w.ctx.clock.now() });
    return { id: postWireId(post!), markdown: rendered.markdown };
  }
  const parent = rendered.threadTs ? await threadPost(w.trx, hook, rendered.threadTs) : undefined;
  if (parent) {
    // A comment holds one photo: the first image; the others stay links.
    const { ids, markdown } = await attachImages(as, rendered, 1, photo);
    const comment = await commentCreator(as, { post: parent, message: markdown.slice(0, 8000), mediaId: ids[0] });
    return { id: comment.id, markdown };
  }
  const { ids, markdown } = await attachImages(as, rendered, MAX_REMOTE_FILES, photo);
  const post = await postCreator(as, { feedId: hook.target_id, feedType: 'group', message: markdown, formatting: 'MARKDOWN', allowDuplicate: true, mediaIds: ids });
  return { id: postWireId(post), markdown };
}

async function targetGone(ctx: Context, hook: IncomingHookRow): Promise<boolean> {
  if (hook.target_type === 'thread') return !(await loadThread(ctx.db, hook.target_id));
  const group = await findGroupById(ctx.db, hook.target_id);
  return !group || group.archived === 1;
}

/**
 * Answers one request to `/hooks/{key}` the way Slack's incoming webhooks answer: `ok`, or an
 * error string with its status. Every request that names a live hook is logged with what it
 * rendered to; what it writes (a post, a comment, a chat message) is audited by its command.
 */
export async function receiveHook(ctx: Context, request: HookRequest): Promise<HookAnswer> {
  const hook = request.key ? await findHookByKeyHash(ctx.db, sha256Hex(request.key)) : undefined;
  if (!hook || hook.revoked_time) return answer('no_service');
  return deliverToHook(ctx, hook, request);
}

/** Runs a request against a known hook (the URL's, or an admin's test-send); logs it. */
export async function deliverToHook(ctx: Context, hook: IncomingHookRow, request: Omit<HookRequest, 'key'>): Promise<HookAnswer> {
  const now = ctx.clock.now();
  const log = async (status: number, body: SlackAnswer, rendered?: Rendered | null, objectId?: string) => {
    await ctx.db.transaction().execute(async (trx) => {
      await insertHookDelivery(trx, {
        id: newId(),
        hook_id: hook.id,
        time: now,
        status,
        answer: body,
        event: rendered?.event ?? header(request.headers, 'x-github-event') ?? null,
        request_excerpt: request.body.subarray(0, EXCERPT).toString('utf8'),
        rendered: rendered?.markdown ?? null,
        object_id: objectId ?? null,
      });
      await recordHookUse(trx, hook.id, now, status === 200);
    });
  };
  const windowStart = Math.floor(now / 60_000) * 60_000;
  if ((await countHookRequest(ctx.db, hook.id, windowStart)) > hook.rate_per_minute) {
    await log(429, 'rate_limited');
    return answer('rate_limited', Math.max(1, Math.ceil((windowStart + 60_000 - now) / 1000)));
  }
  if (await targetGone(ctx, hook)) {
    await log(410, 'channel_is_archived');
    return answer('channel_is_archived');
  }
  let rendered: Rendered | null = null;
  try {
    rendered = await render(ctx, hook, request, async (key) => JSON.parse((await findHookThread(ctx.db, hook.id, key))?.state ?? '[]') as Alert[]);
    if (rendered === null) {
      await log(200, 'ok');
      return answer('ok');
    }
    const done = rendered;
    const written = await transact(ctx, hookActor(hook, hook.page_id, hook.name), (w) => write(w, hook, done));
    await log(200, 'ok', { ...rendered, markdown: written.markdown }, written.id);
    return answer('ok');
  } catch (error) {
    const refusal = error instanceof SlackRefusal ? error : error instanceof AppError && error.kind !== 'internal' ? new SlackRefusal('invalid_payload', error.message) : undefined;
    if (!refusal) throw error;
    await log(refusal.status, refusal.answer, rendered);
    return answer(refusal.answer);
  }
}
