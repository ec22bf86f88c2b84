import { findGroupsByIds, type GroupRow } from '../../../db/repositories/group.js';
import type { GroupFileRow } from '../../../db/repositories/groupFile.js';
import { findPostsByIds } from '../../../db/repositories/post.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles } from '../profile/type.js';

type Links = Pick<Presentation, 'ctx' | 'publicBase'>;

/** The signed, expiring same-origin path a group file downloads from (the photos' rule, src/media/links.ts). */
export function groupFilePath(ctx: Pick<Presentation['ctx'], 'mediaLinks'>, file: Pick<GroupFileRow, 'id' | 'name'>): string {
  return `/group-files/${file.id}/${encodeURIComponent(file.name)}?${ctx.mediaLinks.query(`file:${file.id}`)}`;
}

export function groupFileUrl(p: Links, file: Pick<GroupFileRow, 'id' | 'name'>): string {
  return `${p.publicBase}${groupFilePath(p.ctx, file)}`;
}

/** The integration uploaded it (its bot page owns it). */
export function ownGroupFile(p: Pick<Presentation, 'actor'>, file: GroupFileRow): boolean {
  return (p.actor.kind === 'integration' || p.actor.kind === 'app') && file.owner_id === p.actor.pageId;
}

export const groupFileType: NodeType<GroupFileRow> = {
  name: 'GroupFile',
  defaults: ['id', 'download_link', 'updated_time'],
  id: (f) => f.id,
  fields: {
    id: { kind: 'scalar', get: (f) => f.id },
    download_link: { kind: 'scalar', get: (f, p) => groupFileUrl(p, f) },
    updated_time: { kind: 'scalar', get: (f) => graphTime(f.updated_time) },
    message: {
      kind: 'batch',
      load: async (p, files) => {
        const posts = new Map((await findPostsByIds(p.ctx.db, files.flatMap((f) => (f.post_id ? [f.post_id] : [])))).map((post) => [post.id, post]));
        return files.map((f) => (f.post_id ? posts.get(f.post_id)?.message ?? undefined : undefined));
      },
    },
    from: { kind: 'ref', target: 'profile', key: (f) => f.owner_id, load: loadProfiles },
    group: {
      kind: 'ref',
      target: 'group',
      key: (f) => f.group_id,
      load: async (p, ids) => new Map((await findGroupsByIds(p.ctx.db, ids)).map((g): [string, GroupRow] => [g.id, g])),
    },
  },
  edges: {},
};
