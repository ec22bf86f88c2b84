import type { GraphClient } from '@commonplace/sdk';
import type { BackupOptions } from './backup.js';
import { type Fingerprint, type Kept, keepMedia, keptIntact, mediaUrl, syncSection } from './sections.js';

// A group's library: files (files.jsonl + the bytes), docs with every revision (docs.jsonl),
// albums with their photos (albums.jsonl + the images) and videos (videos.jsonl + the bytes of
// uploaded ones). Each is an incremental section keyed on updated_time (an album's photo count
// too); a record whose downloaded bytes went missing or changed on disk is fetched again. A
// server without one of these edges keeps that section's last backup and says so.

const USER = 'id,name';
const DOC_FIELDS = `id,subject,message,revision,created_time,updated_time,link,from{${USER}}`;
const ALBUM_FIELDS = `id,name,description,count,created_time,updated_time,link,location,type,from{${USER}}`;
const PHOTO_FIELDS = `id,name,created_time,updated_time,from{${USER}},images,picture,link,width,height`;
const VIDEO_FIELDS = `id,title,description,source,created_time,updated_time,permalink_url,length,from{${USER}}`;

export interface BackedUpFile extends Kept {
  id: string;
  fingerprint: Fingerprint;
  /** The file's name, from its download link. */
  name: string;
  meta: Record<string, unknown>;
}
export interface BackedUpDoc {
  id: string;
  fingerprint: Fingerprint;
  doc: Record<string, unknown>;
  /** Every kept revision, newest first as Graph lists them. */
  revisions: Record<string, unknown>[];
}
export interface BackedUpAlbum {
  id: string;
  fingerprint: Fingerprint;
  album: Record<string, unknown>;
  photos: (Record<string, unknown> & Kept)[];
}
export interface BackedUpVideo extends Kept {
  id: string;
  fingerprint: Fingerprint;
  video: Record<string, unknown>;
}

export interface LibraryReport {
  files: number;
  filesFetched: number;
  docs: number;
  docsFetched: number;
  albums: number;
  albumsFetched: number;
  videos: number;
  videosFetched: number;
}

const updated = (item: Record<string, unknown>): Fingerprint => ({ updated_time: item.updated_time as string | undefined });

function fileName(url: unknown, id: string): string {
  try {
    const last = new URL(String(url)).pathname.split('/').pop() ?? '';
    return decodeURIComponent(last) || id;
  } catch {
    return id;
  }
}

/** A name safe as one path segment on every file system, keeping the extension. */
const safe = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(-80);

export async function backupLibrary(graph: GraphClient, groupId: string, dir: string, options: BackupOptions, label: string): Promise<LibraryReport> {
  const auth = { token: graph.accessToken, root: graph.root };
  const report: LibraryReport = { files: 0, filesFetched: 0, docs: 0, docsFetched: 0, albums: 0, albumsFetched: 0, videos: 0, videosFetched: 0 };
  const listing = async (edge: string, fields: string) => {
    try {
      return await graph.collect<Record<string, unknown>>(`${groupId}/${edge}`, { fields, limit: 100 });
    } catch (error) {
      options.log(`note: ${edge} not backed up (the last backup of them is kept): ${(error as Error).message}`);
      return undefined;
    }
  };
  const byId = (items: Record<string, unknown>[]) => new Map(items.map((i) => [String(i.id), i]));

  // Files: the listing carries every field; the signed download_link changes on every read, so
  // only updated_time is the fingerprint.
  const files = await listing('files', 'id,download_link,from{id,name},group{id,name},message,updated_time');
  if (files) {
    const listed = byId(files);
    const synced = await syncSection<BackedUpFile>(dir, 'files', files, updated, async (id, fingerprint) => {
      const { download_link: link, ...meta } = listed.get(id)!;
      const name = fileName(link, id);
      const kept = await keepMedia(dir, `file-${id}-${safe(name)}`, link as string | undefined, auth, options.log, `file ${id}`);
      return { id, fingerprint, name, meta, ...kept };
    }, options, `${label}: files`, (r) => keptIntact(dir, r));
    Object.assign(report, { files: files.length, filesFetched: synced.fetched });
  }

  const docs = await listing('docs', 'id,updated_time,revision');
  if (docs) {
    const synced = await syncSection<BackedUpDoc>(dir, 'docs', docs, (d) => ({ updated_time: d.updated_time as string | undefined, revision: d.revision as string | undefined }), async (id, fingerprint) => {
      const doc = await graph.get<Record<string, unknown>>(id, { fields: DOC_FIELDS });
      const revisions = await graph.collect<Record<string, unknown>>(`${id}/revisions`, { fields: `revision,subject,message,created_time,from{${USER}}`, limit: 100 });
      return { id, fingerprint, doc, revisions };
    }, options, `${label}: docs`);
    Object.assign(report, { docs: docs.length, docsFetched: synced.fetched });
  }

  const albums = await listing('albums', 'id,updated_time,count');
  if (albums) {
    const synced = await syncSection<BackedUpAlbum>(dir, 'albums', albums, (a) => ({ updated_time: a.updated_time as string | undefined, count: a.count as number | undefined }), async (id, fingerprint) => {
      const album = await graph.get<Record<string, unknown>>(id, { fields: ALBUM_FIELDS });
      const photos = await graph.collect<Record<string, unknown>>(`${id}/photos`, { fields: PHOTO_FIELDS, limit: 100 });
      const kept = [];
      for (const photo of photos) kept.push({ ...photo, ...(await keepMedia(dir, String(photo.id), mediaUrl(photo), auth, options.log, `photo ${String(photo.id)}`)) });
      return { id, fingerprint, album, photos: kept };
    }, options, `${label}: albums`, (r) => r.photos.every((p) => keptIntact(dir, p)));
    Object.assign(report, { albums: albums.length, albumsFetched: synced.fetched });
  }

  const videos = await listing('videos', 'id,updated_time');
  if (videos) {
    const synced = await syncSection<BackedUpVideo>(dir, 'videos', videos, updated, async (id, fingerprint) => {
      const video = await graph.get<Record<string, unknown>>(id, { fields: VIDEO_FIELDS });
      const kept = await keepMedia(dir, `video-${id}`, video.source as string | undefined, auth, options.log, `video ${id}`);
      return { id, fingerprint, video, ...kept };
    }, options, `${label}: videos`, (r) => !r.video.source || keptIntact(dir, r));
    Object.assign(report, { videos: videos.length, videosFetched: synced.fetched });
  }
  return report;
}

/** The library's sections, each NAME.jsonl (and NAME.partial.jsonl while a run is unfinished). */
export const LIBRARY_SECTIONS = ['files', 'docs', 'albums', 'videos'] as const;