import fs from 'node:fs';
import path from 'node:path';
import type { GraphClient, ParamValue } from '@commonplace/sdk';
import type { Progress } from '../progress.js';
import { type BackedUpEvent, type BackedUpPoll, type BackedUpPost, type Guest, RSVP_EDGES } from './backup.js';
import { readJsonLines } from './files.js';
import { LibraryRestore, type LibraryRestoreReport } from './restore-library.js';

// restore: recreates a backed-up group's posts, comments, replies, events and library (files,
// docs, albums, videos: restore-library.ts) in another group as the integration's bot page (Graph cannot post as other people), crediting the original author
// and time in the text. Graph has no call that creates a poll (neither had Workplace), so a poll
// post comes back as text with its question, options and votes. Guest answers cannot be given for
// other people either: an event's description lists them. Old → new ids go to
// restore-SOURCE-to-TARGET.jsonl as each object is created, so an interrupted restore resumes
// where it stopped and never creates anything twice.

export interface RestoreOptions {
  from: string;
  toGroup: string;
  /** The backed-up group to restore (needed when the backup holds several). */
  group?: string;
  progress: Progress;
}

export interface RestoreReport {
  from: string;
  sourceGroup: string;
  toGroup: string;
  posts: number;
  comments: number;
  photos: number;
  events: number;
  library: LibraryRestoreReport;
  skipped: number;
}

const stamp = (time: unknown) => {
  const d = typeof time === 'string' ? new Date(time.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : undefined;
  return d && !Number.isNaN(d.getTime()) ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'an unknown time';
};
const author = (item: Record<string, unknown>) => (item.from as { name?: string } | undefined)?.name ?? 'someone';

/** The credit line a restored object starts with. */
export function credit(item: Record<string, unknown>, what: 'post' | 'comment'): string {
  return `[${what === 'post' ? 'Originally posted' : 'Comment'} by ${author(item)} on ${stamp(item.created_time)}]`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A poll as text: Graph cannot create polls, so the restored post carries it in its message. */
export function pollText(poll: BackedUpPoll): string {
  const lines = [`Poll: ${poll.question}${poll.multiple_choice ? ' (several answers allowed)' : ''}`];
  for (const o of poll.options) {
    const names = o.votes.map((v) => v.name ?? v.id).join(', ');
    lines.push(`• ${o.name}: ${plural(o.vote_count, 'vote')}${names ? ` (${names})` : ''}`);
  }
  if (poll.voter_count !== undefined) lines.push(plural(poll.voter_count, 'person', 'people') + ' voted');
  return lines.join('\n');
}

const ANSWERS: Record<(typeof RSVP_EDGES)[number], string> = { attending: 'Going', maybe: 'Maybe', declined: "Can't go", interested: 'Interested' };
// Graph's event description takes at most 63,206 characters: long guest lists shrink to counts.
const MAX_DESCRIPTION = 63_000;

/** The description of a restored event: the credit line, the original text and the answers at backup time. */
export function eventDescription(e: BackedUpEvent): string {
  const owner = (e.event.owner as { name?: string } | undefined)?.name ?? 'someone';
  const head = `[Originally hosted by ${owner}${e.event.is_page_owned ? ' (a bot page)' : ''}]`;
  const body = typeof e.event.description === 'string' && e.event.description ? e.event.description : '';
  const answers = (withNames: boolean) =>
    RSVP_EDGES.filter((edge) => e.rsvps[edge].length)
      .map((edge) => `${ANSWERS[edge]} (${e.rsvps[edge].length})${withNames ? `: ${e.rsvps[edge].map((g: Guest) => g.name ?? g.id).join(', ')}` : ''}`)
      .join('\n');
  const compose = (withNames: boolean) => {
    const a = answers(withNames);
    return [head, body, a ? `Answers when it was backed up:\n${a}` : ''].filter(Boolean).join('\n\n');
  };
  const full = compose(true);
  return full.length <= MAX_DESCRIPTION ? full : compose(false).slice(0, MAX_DESCRIPTION);
}

/** The create parameters of an event, from its backed-up fields. */
function eventParams(e: Record<string, unknown>, description: string): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = { name: String(e.name), description, start_time: String(e.start_time) };
  if (typeof e.end_time === 'string') params.end_time = e.end_time;
  if (typeof e.timezone === 'string') params.timezone = e.timezone;
  const place = (e.place as { name?: string } | undefined)?.name;
  if (place) params.location = place;
  const cover = (e.cover as { source?: string } | undefined)?.source;
  if (cover && /^https?:\/\//i.test(cover)) params.cover_url = cover;
  if (typeof e.category === 'string') params.category = e.category;
  for (const flag of ['guest_list_enabled', 'can_guests_invite', 'is_draft'] as const) if (typeof e[flag] === 'boolean') params[flag] = e[flag];
  const times = e.event_times as { start_time: string; end_time?: string }[] | undefined;
  if (times?.length) params.event_times = times.map((t) => ({ start_time: t.start_time, ...(t.end_time ? { end_time: t.end_time } : {}) }));
  return params;
}

function photoFileOf(dir: string, post: Record<string, unknown>): string | undefined {
  const attachments = JSON.stringify(post.attachments ?? '');
  for (const photo of readJsonLines<{ id: string; file?: string }>(path.join(dir, 'photos.jsonl'))) {
    if (photo.file && attachments.includes(photo.id) && fs.existsSync(path.join(dir, photo.file))) return path.join(dir, photo.file);
  }
  return undefined;
}

export async function restoreGroup(graph: GraphClient, options: RestoreOptions): Promise<RestoreReport> {
  const groupsDir = path.join(options.from, 'groups');
  const available = fs.existsSync(groupsDir) ? fs.readdirSync(groupsDir) : [];
  if (!available.length) throw new Error(`${options.from} holds no backed-up group (no groups/ folder)`);
  const source = options.group ?? (available.length === 1 ? available[0]! : undefined);
  if (!source) throw new Error(`${options.from} holds ${available.length} groups (${available.join(', ')}): choose one with --group`);
  if (!available.includes(source)) throw new Error(`${options.from} holds no group ${source}`);
  const dir = path.join(groupsDir, source);
  const posts = readJsonLines<BackedUpPost>(path.join(dir, 'posts.jsonl')).sort((a, b) => String(a.post.created_time).localeCompare(String(b.post.created_time)));
  const mapFile = path.join(options.from, `restore-${source}-to-${options.toGroup}.jsonl`);
  const ids = new Map(readJsonLines<{ old: string; new: string }>(mapFile).map((m) => [m.old, m.new]));
  const remember = (old: string, created: string) => {
    ids.set(old, created);
    fs.appendFileSync(mapFile, JSON.stringify({ old, new: created }) + '\n');
  };
  const events = readJsonLines<BackedUpEvent>(path.join(dir, 'events.jsonl')).sort((a, b) => String(a.event.start_time).localeCompare(String(b.event.start_time)));
  const report: RestoreReport = { from: options.from, sourceGroup: source, toGroup: options.toGroup, posts: 0, comments: 0, photos: 0, events: 0, library: { files: 0, docs: 0, albums: 0, albumPhotos: 0, videos: 0 }, skipped: 0 };
  const library = new LibraryRestore(graph, dir, options.toGroup, { get: (old) => ids.get(old), remember }, stamp);
  report.library = library.report;
  const work = posts.reduce((n, p) => n + 1 + p.comments.reduce((m, c) => m + 1 + c.replies.length, 0), 0) + events.length + library.work;
  options.progress.start(work, 'restore');
  try {
    for (const p of posts) {
      let target = ids.get(p.id);
      if (target) report.skipped++;
      else {
        // A poll post has no message of its own (its question stands in): its story would only repeat the credit.
        const body = p.post.message ?? (p.poll ? '' : p.post.story) ?? '';
        const text = [credit(p.post, 'post'), body, p.poll ? pollText(p.poll) : ''].filter(Boolean).join('\n\n');
        const photo = photoFileOf(dir, p.post);
        // The post Graph made for an album or a video: restoring that makes the new one's post, which
        // takes this post's comments.
        const shown = library.shownBy(p.post);
        const made = shown
          ? await library.restoreShown(shown, (skipped) => {
              if (skipped) report.skipped++;
              options.progress.increment();
            })
          : undefined;
        if (made) target = made;
        else if (photo) {
          const created = await graph.uploadPhoto(options.toGroup, { file: { data: fs.readFileSync(photo), filename: path.basename(photo) }, message: text });
          target = String(created.post_id ?? created.id);
          report.photos++;
        } else {
          const params: Record<string, string> = { message: String(text) };
          if (typeof p.post.link === 'string' && p.post.link) params.link = p.post.link;
          if (p.post.formatting === 'MARKDOWN') params.formatting = 'MARKDOWN';
          // The group files this post carried come back attached to its copy.
          const files = library.filesOf(p.post);
          const uploaded = await library.uploadFiles(files);
          if (uploaded.length) params.files = uploaded.join(',');
          target = String((await graph.post<{ id: string }>(`${options.toGroup}/feed`, params)).id);
          library.posted(files, uploaded);
        }
        remember(p.id, target);
        report.posts++;
      }
      options.progress.increment();
      for (const c of p.comments) {
        let commentId = ids.get(String(c.id));
        if (commentId) report.skipped++;
        else {
          commentId = String((await graph.comment(target, `${credit(c, 'comment')}\n${String(c.message ?? '')}`)).id);
          remember(String(c.id), commentId);
          report.comments++;
        }
        options.progress.increment();
        for (const r of c.replies) {
          if (ids.has(String(r.id))) report.skipped++;
          else {
            remember(String(r.id), String((await graph.comment(commentId, `${credit(r, 'comment')}\n${String(r.message ?? '')}`)).id));
            report.comments++;
          }
          options.progress.increment();
        }
      }
    }
    for (const e of events) {
      let created = ids.get(e.id);
      if (created) report.skipped++;
      else {
        created = String((await graph.post<{ id: string }>(`${options.toGroup}/events`, eventParams(e.event, eventDescription(e)))).id);
        remember(e.id, created);
        report.events++;
      }
      // A canceled event is created, then canceled: a run stopped in between cancels it on the rerun.
      if (e.event.is_canceled === true && !(await graph.get<{ is_canceled?: boolean }>(created, { fields: 'is_canceled' })).is_canceled) {
        await graph.post(created, { is_canceled: true });
      }
      options.progress.increment();
    }
    await library.run((skipped) => {
      if (skipped) report.skipped++;
      options.progress.increment();
    });
  } finally {
    options.progress.stop();
  }
  return report;
}
