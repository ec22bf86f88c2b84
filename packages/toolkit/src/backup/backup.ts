import fs from 'node:fs';
import path from 'node:path';
import type { GraphClient } from '@commonplace/sdk';
import { eachLimited } from '../limits.js';
import type { Progress } from '../progress.js';
import { jsonLines, readJson, readJsonLines, sha256, writeAtomic, writeChecksums } from './files.js';
import { writeViewer } from './viewer.js';

// backup groups: per group, group.json, members.jsonl, posts.jsonl (each post with its comments,
// replies, reactions and seen), photos.jsonl and media/. Incremental: the feed is walked with
// cheap fingerprint fields (updated_time and comment/reaction counts) and only new or changed
// posts are fetched in full. Resumable: posts fetched by an unfinished run are kept in
// posts.partial.jsonl and reused; state.json records each group's last complete run.

export const FORMAT = 'commonplace-backup/1';

const USER = 'id,name';
const COMMENT_FIELDS = `id,message,message_tags,created_time,updated_time,from{${USER}},attachment,comment_count,like_count`;
const POST_FIELDS = `id,message,message_tags,created_time,updated_time,type,status_type,formatting,link,name,caption,story,permalink_url,from{${USER}},to,attachments`;
const FINGERPRINT = 'id,created_time,updated_time,comments.limit(0).summary(true),reactions.limit(0).summary(true)';

export interface BackupOptions {
  out: string;
  groups?: string[];
  concurrency: number;
  progress: Progress;
  log: (line: string) => void;
}

export interface GroupReport {
  id: string;
  name: string;
  posts: number;
  fetched: number;
  unchanged: number;
  removed: number;
  members: number;
  photos: number;
  mediaDownloaded: number;
  resumed: boolean;
}

interface State {
  format: string;
  groups: Record<string, { lastComplete?: string; started?: string }>;
}

interface Fingerprint {
  updated_time?: string;
  comments?: number;
  reactions?: number;
}

export interface BackedUpPost {
  id: string;
  fingerprint: Fingerprint;
  post: Record<string, unknown>;
  comments: (Record<string, unknown> & { replies: Record<string, unknown>[] })[];
  reactions: Record<string, unknown>[];
  seen: Record<string, unknown>[];
}

const total = (v: unknown) => (v as { summary?: { total_count?: number } } | undefined)?.summary?.total_count;
const sameFingerprint = (a: Fingerprint, b: Fingerprint) => a.updated_time === b.updated_time && a.comments === b.comments && a.reactions === b.reactions;

async function optional<T>(work: () => Promise<T[]>, log: (line: string) => void, what: string): Promise<T[]> {
  try {
    return await work();
  } catch (error) {
    log(`note: ${what} not backed up: ${(error as Error).message}`);
    return [];
  }
}

async function fetchPost(graph: GraphClient, id: string, fingerprint: Fingerprint, log: (line: string) => void): Promise<BackedUpPost> {
  const post = await graph.get<Record<string, unknown>>(id, { fields: POST_FIELDS });
  const comments = await graph.collect<Record<string, unknown>>(`${id}/comments`, { fields: COMMENT_FIELDS, order: 'chronological', limit: 100 });
  const withReplies = await Promise.all(
    comments.map(async (c) => ({
      ...c,
      replies: Number(c.comment_count ?? 1) > 0 ? await graph.collect<Record<string, unknown>>(`${String(c.id)}/comments`, { fields: COMMENT_FIELDS, order: 'chronological', limit: 100 }) : [],
    })),
  );
  const reactions = await optional(() => graph.collect<Record<string, unknown>>(`${id}/reactions`, { fields: 'id,name,type', limit: 100 }), log, `reactions of ${id}`);
  const seen = await optional(() => graph.collect<Record<string, unknown>>(`${id}/seen`, { fields: 'id,name', limit: 100 }), log, `seen of ${id}`);
  return { id, fingerprint, post, comments: withReplies, reactions, seen };
}

function mediaUrl(photo: Record<string, unknown>): string | undefined {
  const images = photo.images as { source?: string; width?: number }[] | undefined;
  const best = images?.slice().sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0]?.source;
  return best ?? (typeof photo.picture === 'string' ? photo.picture : undefined);
}

async function download(url: string, token: string | undefined, graphRoot: string): Promise<Uint8Array> {
  const sameServer = new URL(url).origin === new URL(graphRoot).origin;
  const response = await fetch(url, { headers: sameServer && token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`GET ${url.split('?')[0]} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const extension = (url: string) => /\.(jpe?g|png|gif|webp|mp4|mov|pdf)(?:$|\?)/i.exec(url)?.[1]?.toLowerCase() ?? 'bin';

/** Backs up one group into DIR/groups/ID. */
export async function backupGroup(graph: GraphClient, groupId: string, options: BackupOptions, state: State): Promise<GroupReport> {
  const dir = path.join(options.out, 'groups', groupId);
  fs.mkdirSync(path.join(dir, 'media'), { recursive: true });
  const group = await graph.get<Record<string, unknown>>(groupId, { fields: 'id,name,description,privacy,created_time,updated_time,owner,member_count,permalink_url,cover' });
  const entry = (state.groups[groupId] ??= {});
  const resumed = entry.started !== undefined;
  entry.started ??= new Date().toISOString();
  saveState(options.out, state);
  writeAtomic(path.join(dir, 'group.json'), JSON.stringify(group, null, 2) + '\n');

  const [members, admins, moderators] = await Promise.all([
    graph.collect<Record<string, unknown>>(`${groupId}/members`, { fields: 'id,name,email,title,department', limit: 500 }),
    optional(() => graph.collect<Record<string, unknown>>(`${groupId}/admins`, { fields: 'id', limit: 500 }), options.log, 'admins'),
    optional(() => graph.collect<Record<string, unknown>>(`${groupId}/moderators`, { fields: 'id', limit: 500 }), options.log, 'moderators'),
  ]);
  const adminIds = new Set(admins.map((a) => a.id));
  const moderatorIds = new Set(moderators.map((a) => a.id));
  writeAtomic(path.join(dir, 'members.jsonl'), jsonLines(members.map((m) => ({ ...m, role: adminIds.has(m.id) ? 'admin' : moderatorIds.has(m.id) ? 'moderator' : 'member' }))));

  const previous = new Map(readJsonLines<BackedUpPost>(path.join(dir, 'posts.jsonl')).map((p) => [p.id, p]));
  const partialFile = path.join(dir, 'posts.partial.jsonl');
  const partial = new Map(readJsonLines<BackedUpPost>(partialFile).map((p) => [p.id, p]));
  const listing = await graph.collect<Record<string, unknown>>(`${groupId}/feed`, { fields: FINGERPRINT, limit: 100 });
  const report: GroupReport = { id: groupId, name: String(group.name ?? groupId), posts: listing.length, fetched: 0, unchanged: 0, removed: 0, members: members.length, photos: 0, mediaDownloaded: 0, resumed };
  const current = new Map<string, BackedUpPost>();
  const todo: { id: string; fingerprint: Fingerprint }[] = [];
  for (const item of listing) {
    const id = String(item.id);
    const fingerprint: Fingerprint = { updated_time: item.updated_time as string | undefined, comments: total(item.comments), reactions: total(item.reactions) };
    const known = partial.get(id) ?? previous.get(id);
    if (known && sameFingerprint(known.fingerprint, fingerprint)) {
      current.set(id, known);
      report.unchanged++;
    } else todo.push({ id, fingerprint });
  }
  report.removed = [...previous.keys()].filter((id) => !listing.some((l) => String(l.id) === id)).length;
  options.progress.start(todo.length, `group ${report.name}`);
  const append = fs.openSync(partialFile, 'a');
  try {
    await eachLimited(todo, options.concurrency, async ({ id, fingerprint }) => {
      const post = await fetchPost(graph, id, fingerprint, options.log);
      fs.writeSync(append, JSON.stringify(post) + '\n');
      current.set(id, post);
      report.fetched++;
      options.progress.increment();
    });
  } finally {
    fs.closeSync(append);
    options.progress.stop();
  }
  const ordered = listing.map((l) => current.get(String(l.id))!).filter(Boolean);
  writeAtomic(path.join(dir, 'posts.jsonl'), jsonLines(ordered));

  const photos = await optional(() => graph.collect<Record<string, unknown>>(`${groupId}/photos`, { fields: 'id,name,created_time,updated_time,from{id,name},images,picture,link,width,height', limit: 100 }), options.log, 'photos');
  const known = new Map(readJsonLines<{ id: string; file?: string; sha256?: string }>(path.join(dir, 'photos.jsonl')).map((p) => [p.id, p]));
  const records: Record<string, unknown>[] = [];
  await eachLimited(photos, options.concurrency, async (photo) => {
    const id = String(photo.id);
    const old = known.get(id);
    const url = mediaUrl(photo);
    let file = old?.file;
    let digest = old?.sha256;
    if (url && !(file && digest && fs.existsSync(path.join(dir, file)) && sha256(fs.readFileSync(path.join(dir, file))) === digest)) {
      try {
        const bytes = await download(url, graph.accessToken, graph.root);
        file = `media/${id}.${extension(url)}`;
        writeAtomic(path.join(dir, file), bytes);
        digest = sha256(bytes);
        report.mediaDownloaded++;
      } catch (error) {
        options.log(`note: photo ${id} not downloaded: ${(error as Error).message}`);
      }
    }
    records.push({ ...photo, file, sha256: digest });
  });
  report.photos = photos.length;
  writeAtomic(path.join(dir, 'photos.jsonl'), jsonLines(records.sort((a, b) => String(a.id).localeCompare(String(b.id)))));

  fs.rmSync(partialFile, { force: true });
  entry.lastComplete = entry.started;
  delete entry.started;
  saveState(options.out, state);
  return report;
}

function saveState(root: string, state: State): void {
  writeAtomic(path.join(root, 'state.json'), JSON.stringify(state, null, 2) + '\n');
}

/** Backs up the given groups, or every group the token may read. */
export async function backupGroups(graph: GraphClient, options: BackupOptions): Promise<GroupReport[]> {
  fs.mkdirSync(options.out, { recursive: true });
  const state = readJson<State>(path.join(options.out, 'state.json'), { format: FORMAT, groups: {} });
  const ids = options.groups?.length ? options.groups : (await graph.collect<{ id: string }>('community/groups', { fields: 'id', limit: 100 })).map((g) => String(g.id));
  const reports: GroupReport[] = [];
  for (const id of ids) {
    reports.push(await backupGroup(graph, id, options, state));
    writeChecksums(options.out);
  }
  writeAtomic(path.join(options.out, 'manifest.json'), JSON.stringify({ format: FORMAT, server: graph.root, updated: new Date().toISOString(), groups: Object.keys(state.groups) }, null, 2) + '\n');
  writeViewer(options.out);
  writeChecksums(options.out);
  return reports;
}
