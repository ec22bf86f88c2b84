import fs from 'node:fs';
import path from 'node:path';
import type { GraphClient, ParamValue, UploadFile } from '@commonplace/sdk';
import { readJsonLines } from './files.js';
import type { BackedUpAlbum, BackedUpDoc, BackedUpFile, BackedUpVideo } from './library.js';
import type { Kept } from './sections.js';

// The library part of restore: group files, docs, albums with their photos and videos, created
// in the target group by the bot with the original author and time credited. A file that was
// posted with a backed-up post is attached to that post's copy (restore.ts asks attachFiles);
// the others get a post of their own. The id map keys are prefixed (file:, doc:, album:,
// photo:, video:) so they never clash with post or comment ids.

export interface LibraryRestoreReport {
  files: number;
  docs: number;
  albums: number;
  albumPhotos: number;
  videos: number;
}

export interface IdMap {
  get(old: string): string | undefined;
  remember(old: string, created: string): void;
}

const TYPES: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', txt: 'text/plain' };

export class LibraryRestore {
  readonly files: BackedUpFile[];
  readonly docs: BackedUpDoc[];
  readonly albums: BackedUpAlbum[];
  readonly videos: BackedUpVideo[];
  readonly report: LibraryRestoreReport = { files: 0, docs: 0, albums: 0, albumPhotos: 0, videos: 0 };
  /** Files, albums and videos restored with a post in this run (not "restored earlier"). */
  readonly #withPosts = new Set<string>();

  constructor(
    private readonly graph: GraphClient,
    private readonly dir: string,
    private readonly toGroup: string,
    private readonly ids: IdMap,
    private readonly stamp: (time: unknown) => string,
  ) {
    const read = <T>(name: string) => readJsonLines<T>(path.join(dir, `${name}.jsonl`));
    const byTime = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.created_time ?? a.updated_time ?? '').localeCompare(String(b.created_time ?? b.updated_time ?? ''));
    this.files = read<BackedUpFile>('files').filter((f) => this.bytes(f)).sort((a, b) => byTime(a.meta, b.meta));
    this.docs = read<BackedUpDoc>('docs').sort((a, b) => byTime(a.doc, b.doc));
    this.albums = read<BackedUpAlbum>('albums').sort((a, b) => byTime(a.album, b.album));
    this.videos = read<BackedUpVideo>('videos').sort((a, b) => byTime(a.video, b.video));
  }

  /** How many objects restoring the library goes through (for progress). */
  get work(): number {
    return this.files.length + this.docs.length + this.albums.reduce((n, a) => n + 1 + a.photos.length, 0) + this.videos.length;
  }

  private bytes(kept: Kept): string | undefined {
    if (!kept.file) return undefined;
    const file = path.join(this.dir, kept.file);
    return fs.existsSync(file) ? file : undefined;
  }

  private upload(kept: Kept, filename: string): UploadFile {
    const file = this.bytes(kept)!;
    const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase() ?? '';
    return { data: fs.readFileSync(file), filename, contentType: TYPES[ext] ?? 'application/octet-stream' };
  }

  private by(item: Record<string, unknown>): string {
    return (item.from as { name?: string } | undefined)?.name ?? 'someone';
  }

  /** The backed-up files a post carried (its attachments link to them), not restored yet. */
  filesOf(post: Record<string, unknown>): BackedUpFile[] {
    const attachments = JSON.stringify(post.attachments ?? '');
    return this.files.filter((f) => !this.ids.get(`file:${f.id}`) && (attachments.includes(`/group-files/${f.id}/`) || attachments.includes(`"${f.id}"`)));
  }

  /** Uploads files for a post about to be created: their new ids for files=. */
  async uploadFiles(files: BackedUpFile[]): Promise<string[]> {
    const out: string[] = [];
    for (const f of files) out.push(String((await this.graph.post<{ id: string }>('group_file_revisions', {}, { files: { file: this.upload(f, f.name) } })).id));
    return out;
  }

  /** Records files as restored once the post carrying them exists. */
  posted(files: BackedUpFile[], created: string[]): void {
    files.forEach((f, i) => {
      this.ids.remember(`file:${f.id}`, created[i]!);
      this.#withPosts.add(f.id);
      this.report.files++;
    });
  }

  /** Restores the library; `step` is called once per object (restored or already there). */
  async run(step: (skipped: boolean) => void): Promise<void> {
    for (const f of this.files) {
      if (this.ids.get(`file:${f.id}`)) {
        step(!this.#withPosts.has(f.id));
        continue;
      }
      const [created] = await this.uploadFiles([f]);
      const note = typeof f.meta.message === 'string' && f.meta.message ? `\n\n${f.meta.message}` : '';
      await this.graph.post(`${this.toGroup}/feed`, { message: `[File ${f.name} originally uploaded by ${this.by(f.meta)} on ${this.stamp(f.meta.updated_time)}]${note}`, files: created! });
      this.posted([f], [created!]);
      step(false);
    }
    for (const d of this.docs) {
      if (this.ids.get(`doc:${d.id}`)) {
        step(true);
        continue;
      }
      const latest = d.revisions.reduce<Record<string, unknown> | undefined>((best, r) => (!best || Number(r.revision) > Number(best.revision) ? r : best), undefined);
      const html = String(latest?.message ?? d.doc.message ?? '');
      const title = String(latest?.subject ?? d.doc.subject ?? 'Untitled');
      const head = `<p><em>[Originally written by ${escape(this.by(d.doc))} on ${this.stamp(d.doc.created_time)}${latest && latest.revision !== '1' ? `; last edited by ${escape(this.by(latest))} on ${this.stamp(latest.created_time)}` : ''}]</em></p>`;
      this.ids.remember(`doc:${d.id}`, String((await this.graph.post<{ id: string }>(`${this.toGroup}/docs`, { title, body: `${head}${html}` })).id));
      this.report.docs++;
      step(false);
    }
    // Those a post showed were restored with it (and counted then).
    for (const a of this.albums) if (!this.#withPosts.has(`album:${a.id}`)) await this.album(a, step);
    for (const v of this.videos) if (!this.#withPosts.has(`video:${v.id}`)) await this.video(v, step);
  }

  /** Restores an album and its photos not restored yet; answers the new album's id. */
  async album(a: BackedUpAlbum, step: (skipped: boolean) => void): Promise<string> {
    let album = this.ids.get(`album:${a.id}`);
    if (album) step(true);
    else {
      const description = [`[Album originally created by ${this.by(a.album)} on ${this.stamp(a.album.created_time)}]`, typeof a.album.description === 'string' ? a.album.description : ''].filter(Boolean).join('\n\n');
      const params: Record<string, ParamValue> = { name: String(a.album.name ?? 'Album'), description };
      album = String((await this.graph.post<{ id: string }>(`${this.toGroup}/albums`, params)).id);
      this.ids.remember(`album:${a.id}`, album);
      this.report.albums++;
      step(false);
    }
    const photos = [...a.photos].sort((x, y) => String(x.created_time ?? '').localeCompare(String(y.created_time ?? '')));
    for (const p of photos) {
      if (this.ids.get(`photo:${String(p.id)}`) || !this.bytes(p)) {
        step(Boolean(this.ids.get(`photo:${String(p.id)}`)));
        continue;
      }
      const caption = [`[Photo by ${this.by(p)} on ${this.stamp(p.created_time)}]`, typeof p.name === 'string' ? p.name : ''].filter(Boolean).join('\n');
      const created = await this.graph.post<{ id: string }>(`${album}/photos`, { message: caption }, { files: { source: this.upload(p, path.basename(p.file!)) } });
      this.ids.remember(`photo:${String(p.id)}`, String(created.id));
      this.report.albumPhotos++;
      step(false);
    }
    return album;
  }

  /** Restores a video not restored yet; answers the new video's id (undefined when the backup has neither bytes nor a link). */
  async video(v: BackedUpVideo, step: (skipped: boolean) => void): Promise<string | undefined> {
    const external = typeof v.video.source === 'string' && /^https?:\/\//i.test(v.video.source) && !this.bytes(v) ? v.video.source : undefined;
    if (this.ids.get(`video:${v.id}`) || (!this.bytes(v) && !external)) {
      step(Boolean(this.ids.get(`video:${v.id}`)));
      return this.ids.get(`video:${v.id}`);
    }
    const description = [`[Video originally posted by ${this.by(v.video)} on ${this.stamp(v.video.created_time)}]`, typeof v.video.description === 'string' ? v.video.description : ''].filter(Boolean).join('\n\n');
    const params: Record<string, ParamValue> = { description };
    if (typeof v.video.title === 'string' && v.video.title) params.title = v.video.title;
    const created = this.bytes(v)
      ? await this.graph.post<{ id: string }>(`${this.toGroup}/videos`, params, { files: { source: this.upload(v, path.basename(v.file!)) } })
      : await this.graph.post<{ id: string }>(`${this.toGroup}/videos`, { ...params, file_url: external! });
    this.ids.remember(`video:${v.id}`, String(created.id));
    this.report.videos++;
    step(false);
    return String(created.id);
  }

  /** The backed-up album or video a post shows (the post Graph made when it was created). */
  shownBy(post: Record<string, unknown>): { album: BackedUpAlbum } | { video: BackedUpVideo } | undefined {
    const data = ((post.attachments as { data?: { type?: string; target?: { id?: string } }[] } | undefined)?.data ?? []);
    for (const a of data) {
      const id = String(a.target?.id ?? '');
      const album = a.type === 'album' ? this.albums.find((x) => x.id === id) : undefined;
      if (album) return { album };
      const video = a.type === 'video_inline' ? this.videos.find((x) => x.id === id) : undefined;
      if (video) return { video };
    }
    return undefined;
  }

  /** Restores what a post showed; answers the post Graph made for the new album or video (undefined: none found). */
  async restoreShown(shown: { album: BackedUpAlbum } | { video: BackedUpVideo }, step: (skipped: boolean) => void): Promise<string | undefined> {
    const created = 'album' in shown ? await this.album(shown.album, step) : await this.video(shown.video, step);
    this.#withPosts.add('album' in shown ? `album:${shown.album.id}` : `video:${shown.video.id}`);
    if (!created) return undefined;
    const feed = await this.graph.get<{ data: { id: string; attachments?: { data?: { target?: { id?: string } }[] } }[] }>(`${this.toGroup}/feed`, { fields: 'id,attachments{type,target}', limit: 25 });
    return feed.data.find((p) => p.attachments?.data?.some((a) => String(a.target?.id) === created))?.id;
  }
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
