import { findPagesByIds, type PageRow } from '../db/repositories/app.js';
import { findMembersByIds, type MemberRow } from '../db/repositories/member.js';
import type { MediaRow } from '../db/repositories/media.js';
import { findMediaByIds } from '../db/repositories/media.js';
import { allowed } from '../policies/graph.js';
import { pictureObject } from './media.js';
import type { NodeType, Presentation } from './types.js';

/** An author or reactor: a member or a bot page. */
export type ProfileRow = { kind: 'member'; member: MemberRow } | { kind: 'page'; page: PageRow };

export async function loadProfiles(p: Presentation, ids: string[]): Promise<Map<string, ProfileRow>> {
  const [members, pages] = await Promise.all([findMembersByIds(p.ctx.db, ids), findPagesByIds(p.ctx.db, ids)]);
  const out = new Map<string, ProfileRow>();
  for (const member of members) out.set(member.id, { kind: 'member', member });
  for (const page of pages) out.set(page.id, { kind: 'page', page });
  return out;
}

export async function loadPictures(p: Presentation, mediaIds: (string | null)[]): Promise<Map<string, MediaRow>> {
  const ids = [...new Set(mediaIds.filter((id): id is string => id !== null))];
  return new Map((await findMediaByIds(p.ctx.db, ids)).map((m) => [m.id, m]));
}

const pictureOf = (row: ProfileRow) => (row.kind === 'member' ? row.member.picture_media_id : row.page.picture_media_id);

/** `from{…}` and similar: the fields members and bot pages share, plus member fields where allowed. */
export const profileType: NodeType<ProfileRow> = {
  name: 'Profile',
  defaults: ['id', 'name'],
  id: (r) => (r.kind === 'member' ? r.member.id : r.page.id),
  fields: {
    id: { kind: 'scalar', get: (r) => (r.kind === 'member' ? r.member.id : r.page.id) },
    name: { kind: 'scalar', get: (r) => (r.kind === 'member' ? r.member.name : r.page.name) },
    first_name: { kind: 'scalar', get: (r) => (r.kind === 'member' ? r.member.first_name : undefined) },
    last_name: { kind: 'scalar', get: (r) => (r.kind === 'member' ? r.member.last_name : undefined) },
    type: { kind: 'scalar', get: (r) => (r.kind === 'member' ? 'user' : 'page') },
    category: { kind: 'scalar', get: (r) => (r.kind === 'page' ? 'Bot' : undefined) },
    email: { kind: 'scalar', action: 'member.email', get: (r) => (r.kind === 'member' ? r.member.email ?? undefined : undefined) },
    title: { kind: 'scalar', action: 'member.work_profile', get: (r) => (r.kind === 'member' ? r.member.title ?? undefined : undefined) },
    department: { kind: 'scalar', action: 'member.work_profile', get: (r) => (r.kind === 'member' ? r.member.department ?? undefined : undefined) },
    link: { kind: 'scalar', get: (r, p) => (r.kind === 'member' ? `${p.publicBase}/profile/${r.member.id}` : `${p.publicBase}/bots/${r.page.id}`) },
    picture: {
      kind: 'batch',
      load: async (p, rows) => {
        const media = await loadPictures(p, rows.map(pictureOf));
        return rows.map((r) => pictureObject(p, media.get(pictureOf(r) ?? '')));
      },
    },
  },
  edges: {},
};

export function canReadEmail(p: Presentation): boolean {
  return allowed(p.actor, 'member.email');
}
