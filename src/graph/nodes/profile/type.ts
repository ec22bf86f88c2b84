import { findPagesByIds, type PageRow } from '../../../db/repositories/app.js';
import { findMembersByIds, type MemberRow } from '../../../db/repositories/member.js';
import { loadPictures, pictureObject } from '../../../presenters/media.js';
import type { FieldSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { memberFields } from '../member/type.js';

/** An author or reactor: a member or a bot page. */
export type ProfileRow = { kind: 'member'; member: MemberRow } | { kind: 'page'; page: PageRow };

/** Authors, owners, reactors… by id, members and bot pages alike, in two statements. */
export async function loadProfiles(p: Presentation, ids: readonly string[]): Promise<Map<string, ProfileRow>> {
  const unique = [...new Set(ids)];
  const [members, pages] = await Promise.all([findMembersByIds(p.ctx.db, unique), findPagesByIds(p.ctx.db, unique)]);
  const out = new Map<string, ProfileRow>();
  for (const member of members) out.set(member.id, { kind: 'member', member });
  for (const page of pages) out.set(page.id, { kind: 'page', page });
  return out;
}

export const profileId = (r: ProfileRow) => (r.kind === 'member' ? r.member.id : r.page.id);
const pictureOf = (row: ProfileRow) => (row.kind === 'member' ? row.member.picture_media_id : row.page.picture_media_id);

/** A member field as a profile field: a bot page has none of them (left out of the answer). */
function onMember(spec: FieldSpec<MemberRow>): FieldSpec<ProfileRow> {
  if (spec.kind === 'scalar') return { ...spec, get: (r, p) => (r.kind === 'member' ? spec.get(r.member, p) : undefined) };
  if (spec.kind === 'batch') {
    return {
      ...spec,
      load: async (p: Presentation, rows: ProfileRow[]) => {
        const members = rows.flatMap((r) => (r.kind === 'member' ? [r.member] : []));
        const values = await spec.load(p, members);
        const byId = new Map(members.map((m, i) => [m.id, values[i]]));
        return rows.map((r: ProfileRow) => (r.kind === 'member' ? byId.get(r.member.id) : undefined));
      },
    };
  }
  return { ...spec, key: (r) => (r.kind === 'member' ? spec.key(r.member) : null) };
}

/**
 * `from{…}`, `owner{…}`, participants: the fields members and bot pages share, and every member
 * field with the member node's permission (a field the token may not read is left out).
 */
export const profileType: NodeType<ProfileRow> = {
  name: 'Profile',
  defaults: ['id', 'name'],
  id: profileId,
  fields: {
    ...Object.fromEntries(Object.entries(memberFields).map(([name, spec]) => [name, onMember(spec)])),
    id: { kind: 'scalar', get: profileId },
    name: { kind: 'scalar', get: (r) => (r.kind === 'member' ? r.member.name : r.page.name) },
    type: { kind: 'scalar', get: (r) => (r.kind === 'member' ? 'user' : 'page') },
    category: { kind: 'scalar', get: (r) => (r.kind === 'page' ? 'Bot' : undefined) },
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

/** A message's sender: a profile whose default fields carry the email, when the token may read it (as Messenger's `from`). */
export const messageProfileType: NodeType<ProfileRow> = { ...profileType, defaults: ['name', 'email', 'id'] };
