import fs from 'node:fs';
import path from 'node:path';
import type { GraphClient } from '@commonplace/sdk';
import type { Progress } from '../progress.js';
import type { BackedUpPost } from './backup.js';
import { readJsonLines } from './files.js';

// restore: recreates a backed-up group's posts, comments and replies in another group as the
// integration's bot page (Graph cannot post as other people), crediting the original author and
// time in the text. Old → new ids go to restore-map.jsonl as each object is created, so an
// interrupted restore resumes where it stopped and never posts twice.

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
  const report: RestoreReport = { from: options.from, sourceGroup: source, toGroup: options.toGroup, posts: 0, comments: 0, photos: 0, skipped: 0 };
  const work = posts.reduce((n, p) => n + 1 + p.comments.reduce((m, c) => m + 1 + c.replies.length, 0), 0);
  options.progress.start(work, 'restore');
  try {
    for (const p of posts) {
      let target = ids.get(p.id);
      if (target) report.skipped++;
      else {
        const text = [credit(p.post, 'post'), p.post.message ?? p.post.story ?? ''].filter(Boolean).join('\n\n');
        const photo = photoFileOf(dir, p.post);
        if (photo) {
          const created = await graph.uploadPhoto(options.toGroup, { file: { data: fs.readFileSync(photo), filename: path.basename(photo) }, message: text });
          target = String(created.post_id ?? created.id);
          report.photos++;
        } else {
          const params: Record<string, string> = { message: String(text) };
          if (typeof p.post.link === 'string' && p.post.link) params.link = p.post.link;
          if (p.post.formatting === 'MARKDOWN') params.formatting = 'MARKDOWN';
          target = String((await graph.post<{ id: string }>(`${options.toGroup}/feed`, params)).id);
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
  } finally {
    options.progress.stop();
  }
  return report;
}
