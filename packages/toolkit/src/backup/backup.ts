import fs from 'node:fs';
import path from 'node:path';
import type { GraphClient } from '@commonplace/sdk';
import { eachLimited } from '../limits.js';
import type { Progress } from '../progress.js';
import { jsonLines, readJson, readJsonLines, sha256, writeAtomic, writeChecksums } from './files.js';
import { download, extension, type Fingerprint, mediaUrl, optional, syncSection } from './sections.js';
import { backupLibrary, LIBRARY_SECTIONS, type LibraryReport } from './library.js';
import { writeViewer } from './viewer.js';

// backup groups: per group, group.json, members.jsonl, posts.jsonl (each post with its comments,
// replies, reactions, seen and poll), events.jsonl (each event with its guest answers),
// photos.jsonl, the library (files, docs, albums, videos: see library.ts) and media/.
// Incremental: the feed and the event list are walked with cheap
// fingerprint fields (updated_time and counts) and only new or changed posts and events are
// fetched in full. Resumable: what an unfinished run fetched is kept in posts.partial.jsonl and
// events.partial.jsonl and reused; state.json records each group's last complete run.

export const FORMAT = 'commonplace-backup/1';

const USER = 'id,name';
const COMMENT_FIELDS = `id,message,message_tags,created_time,updated_time,from{${USER}},attachment,comment_count,like_count`;
const POLL_FIELDS = 'id,question,multiple_choice,voter_count,created_time';
const POST_FIELDS = `id,message,message_tags,created_time,updated_time,type,status_type,formatting,link,name,caption,story,permalink_url,from{${USER}},to,attachments,poll{${POLL_FIELDS}}`;
// A vote changes no updated_time: the poll's counts are part of a post's fingerprint.
const FINGERPRINT = 'id,created_time,updated_time,comments.limit(0).summary(true),reactions.limit(0).summary(true),poll{voter_count,options.limit(100){vote_count}}';
const RSVP_COUNTS = 'attending_count,declined_count,maybe_count,interested_count';
const EVENT_FIELDS = `id,name,description,start_time,end_time,timezone,event_times,place,cover,owner{${USER}},is_canceled,is_draft,is_page_owned,can_guests_invite,guest_list_enabled,category,type,updated_time,${RSVP_COUNTS},noreply_count,permalink_url`;
const EVENT_FINGERPRINT = `id,updated_time,${RSVP_COUNTS}`;
/** The guest lists kept for each event (Graph's event edges). */
export const RSVP_EDGES = ['attending', 'maybe', 'declined', 'interested'] as const;

export interface BackupOptions {
  out: string;
  groups?: string[];
  concurrency: number;
  progress: Progress;
  log: (line: string) => void;
}

export interface GroupReport extends LibraryReport {
  id: string;
  name: string;
  posts: number;
  fetched: number;
  unchanged: number;
  removed: number;
  members: number;
  /** Posts that carry a poll. */
  polls: number;
  events: number;
  eventsFetched: number;
  eventsUnchanged: number;
  eventsRemoved: number;
  photos: number;
  mediaDownloaded: number;
  resumed: boolean;
}

interface State {
  format: string;
  groups: Record<string, { lastComplete?: string; started?: string }>;
}


export interface BackedUpPoll {
  id: string;
  question: string;
  multiple_choice?: boolean;
  voter_count?: number;
  created_time?: string;
  options: { id: string; name: string; vote_count: number; votes: { id: string; name?: string }[] }[];
}

export interface BackedUpPost {
  id: string;
  fingerprint: Fingerprint;
  post: Record<string, unknown>;
  comments: (Record<string, unknown> & { replies: Record<string, unknown>[] })[];
  reactions: Record<string, unknown>[];
  seen: Record<string, unknown>[];
  /** The post's poll with every option's voters; null when the post has none. */
  poll?: BackedUpPoll | null;
}

export type Guest = { id: string; name?: string; rsvp_status?: string };

export interface BackedUpEvent {
  id: string;
  fingerprint: Fingerprint;
  event: Record<string, unknown>;
  rsvps: Record<(typeof RSVP_EDGES)[number], Guest[]>;
}

const total = (v: unknown) => (v as { summary?: { total_count?: number } } | undefined)?.summary?.total_count;

function postFingerprint(item: Record<string, unknown>): Fingerprint {
  const poll = item.poll as { voter_count?: number; options?: { data?: { vote_count?: number }[] } } | undefined;
  return {
    updated_time: item.updated_time as string | undefined,
    comments: total(item.comments),
    reactions: total(item.reactions),
    poll: poll ? `${poll.voter_count ?? ''}:${(poll.options?.data ?? []).map((o) => o.vote_count ?? 0).join(',')}` : undefined,
  };
}

function eventFingerprint(item: Record<string, unknown>): Fingerprint {
  const f: Fingerprint = { updated_time: item.updated_time as string | undefined };
  for (const edge of RSVP_EDGES) f[edge] = item[`${edge}_count`] as number | undefined;
  return f;
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
  const { poll, ...rest } = post;
  return { id, fingerprint, post: rest, comments: withReplies, reactions, seen, poll: poll ? await fetchPoll(graph, poll as Record<string, unknown>) : null };
}

/** A poll's options in order, each with everyone who voted for it (all pages). */
async function fetchPoll(graph: GraphClient, poll: Record<string, unknown>): Promise<BackedUpPoll> {
  const options = await graph.collect<{ id: string; name: string; vote_count: number }>(`${String(poll.id)}/options`, { fields: 'id,name,vote_count', limit: 100 });
  const withVotes = await Promise.all(options.map(async (o) => ({ ...o, votes: await graph.collect<{ id: string; name?: string }>(`${o.id}/votes`, { fields: USER, limit: 100 }) })));
  return { ...(poll as Omit<BackedUpPoll, 'options'>), options: withVotes };
}

async function fetchEvent(graph: GraphClient, id: string, fingerprint: Fingerprint): Promise<BackedUpEvent> {
  const event = await graph.get<Record<string, unknown>>(id, { fields: EVENT_FIELDS });
  const lists = await Promise.all(RSVP_EDGES.map((edge) => graph.collect<Guest>(`${id}/${edge}`, { fields: 'id,name,rsvp_status', limit: 100 })));
  const rsvps = Object.fromEntries(RSVP_EDGES.map((edge, i) => [edge, lists[i]!])) as BackedUpEvent['rsvps'];
  return { id, fingerprint, event, rsvps };
}






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

  const listing = await graph.collect<Record<string, unknown>>(`${groupId}/feed`, { fields: FINGERPRINT, limit: 100 });
  const report: GroupReport = {
    id: groupId, name: String(group.name ?? groupId), posts: listing.length, fetched: 0, unchanged: 0, removed: 0, members: members.length, polls: 0,
    events: 0, eventsFetched: 0, eventsUnchanged: 0, eventsRemoved: 0, photos: 0, mediaDownloaded: 0, resumed,
    files: 0, filesFetched: 0, docs: 0, docsFetched: 0, albums: 0, albumsFetched: 0, videos: 0, videosFetched: 0,
  };
  const posts = await syncSection(dir, 'posts', listing, postFingerprint, (id, fp) => fetchPost(graph, id, fp, options.log), options, `group ${report.name}: posts`);
  Object.assign(report, { fetched: posts.fetched, unchanged: posts.unchanged, removed: posts.removed, polls: posts.records.filter((p) => p.poll).length });

  // Events (canceled ones and the drafts the token may see included). A server without the edge
  // keeps the last backed-up list rather than an empty one.
  let events: Record<string, unknown>[] | undefined;
  try {
    events = await graph.collect<Record<string, unknown>>(`${groupId}/events`, { fields: EVENT_FINGERPRINT, include_canceled: true, limit: 100 });
  } catch (error) {
    options.log(`note: events not backed up: ${(error as Error).message}`);
  }
  if (events) {
    const synced = await syncSection(dir, 'events', events, eventFingerprint, (id, fp) => fetchEvent(graph, id, fp), options, `group ${report.name}: events`);
    Object.assign(report, { events: events.length, eventsFetched: synced.fetched, eventsUnchanged: synced.unchanged, eventsRemoved: synced.removed });
  }

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

  Object.assign(report, await backupLibrary(graph, groupId, dir, options, `group ${report.name}`));

  for (const name of ['posts', 'events', ...LIBRARY_SECTIONS]) fs.rmSync(path.join(dir, `${name}.partial.jsonl`), { force: true });
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
