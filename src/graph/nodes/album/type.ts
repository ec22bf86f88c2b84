import { type AlbumRow, albumCovers, countAlbumPhotos, listAlbumPhotos, listAlbumPhotosOfMany } from '../../../db/repositories/album.js';
import { countComments, listComments, listCommentsOfMany } from '../../../db/repositories/comment.js';
import { findGroupsByIds } from '../../../db/repositories/group.js';
import { allowed, authorize, groupInScope } from '../../../policies/graph.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles } from '../profile/type.js';
import { reactionsEdge } from '../reactor/type.js';
import { byParent, direction } from '../shared.js';

const absent = { kind: 'scalar' as const, get: () => undefined };

/** Reading an album and its edges is reading its group's content. */
export const readAlbum = (p: Presentation, a: AlbumRow) => authorize(p.actor, 'group.feed.read', { groupId: a.group_id, id: a.id });

export function albumLink(p: Pick<Presentation, 'publicBase'>, a: Pick<AlbumRow, 'id' | 'group_id'>): string {
  return `${p.publicBase}/groups/${a.group_id}/albums/${a.id}`;
}

export const albumType: NodeType<AlbumRow> = {
  name: 'Album',
  defaults: ['id', 'name', 'created_time'],
  id: (a) => a.id,
  fields: {
    id: { kind: 'scalar', get: (a) => a.id },
    name: { kind: 'scalar', get: (a) => a.name },
    description: { kind: 'scalar', get: (a) => a.description ?? undefined },
    location: { kind: 'scalar', get: (a) => a.location ?? undefined },
    created_time: { kind: 'scalar', get: (a) => graphTime(a.created_time) },
    updated_time: { kind: 'scalar', get: (a) => graphTime(a.updated_time) },
    link: { kind: 'scalar', get: (a, p) => albumLink(p, a) },
    // `normal` for albums made with POST /{group}/albums; `wall` for the album a multi-photo post makes.
    type: { kind: 'scalar', get: (a) => (a.kind === 'normal' ? 'normal' : 'wall') },
    can_upload: {
      kind: 'scalar',
      get: (a, p) => (p.actor.kind === 'member' ? true : allowed(p.actor, 'group.content.write') && groupInScope(p.actor, a.group_id)),
    },
    count: {
      kind: 'batch',
      load: async (p, albums) => {
        const counts = await countAlbumPhotos(p.ctx.db, albums.map((a) => a.id));
        return albums.map((a) => counts.get(a.id) ?? 0);
      },
    },
    cover_photo: {
      kind: 'batch',
      load: async (p, albums) => {
        const covers = await albumCovers(p.ctx.db, albums.map((a) => a.id));
        return albums.map((a) => {
          const m = covers.get(a.id);
          return m ? { id: m.id, created_time: graphTime(m.created_time), ...(m.caption ? { name: m.caption } : {}) } : undefined;
        });
      },
    },
    // The group's privacy: an album is seen by whoever sees its group.
    privacy: {
      kind: 'batch',
      load: async (p, albums) => {
        const groups = new Map((await findGroupsByIds(p.ctx.db, albums.map((a) => a.group_id))).map((g) => [g.id, g.privacy]));
        return albums.map((a) => groups.get(a.group_id));
      },
    },
    event: absent,
    place: absent,
    from: { kind: 'ref', target: 'profile', key: (a) => a.owner_id, load: loadProfiles },
  },
  edges: {
    photos: {
      target: 'photo',
      authorize: readAlbum,
      defaultOrder: 'chronological',
      position: (m) => ({ sort: m.created_time, id: m.id }),
      page: (p, a, q) => listAlbumPhotos(p.ctx.db, a.id, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
      many: async (p, albums, q) => {
        const rows = await listAlbumPhotosOfMany(p.ctx.db, albums.map((a) => a.id), direction(q, 'asc'), q.limit);
        return byParent(albums.map((a) => a.id), rows, (m) => m.album_id ?? '');
      },
    },
    // An album's comments, likes and reactions are those of the post that shows it.
    comments: {
      target: 'comment',
      authorize: readAlbum,
      defaultOrder: 'chronological',
      position: (c) => ({ sort: c.created_time, id: c.id }),
      page: (p, a, q) => listComments(p.ctx.db, a.post_id, { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
      many: async (p, albums, q) => {
        const rows = await listCommentsOfMany(p.ctx.db, albums.map((a) => a.post_id), { since: q.since, until: q.until }, direction(q, 'asc'), q.limit);
        return byParent(albums.map((a) => a.post_id), rows, (r) => r.owner_id);
      },
      summary: async (p, albums, q) => {
        const counts = await countComments(p.ctx.db, albums.map((a) => a.post_id));
        return albums.map((a) => ({ order: q.order ?? 'chronological', total_count: counts.get(a.post_id) ?? 0, can_comment: true }));
      },
    },
    likes: reactionsEdge<AlbumRow>('likes', (a) => a.post_id, readAlbum),
    reactions: reactionsEdge<AlbumRow>('reactions', (a) => a.post_id, readAlbum),
  },
};
