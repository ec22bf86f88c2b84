import { listSetMembers, type PeopleSetRow } from '../db/repositories/peopleSet.js';
import { URN } from './scimSchemas.js';
import { etagOf, iso, type ScimPresentation } from './scimUser.js';

/** SCIM Group resources for people sets; members are loaded for all sets at once unless left out. */
export async function presentScimGroups(p: ScimPresentation, sets: readonly PeopleSetRow[], options: { members: boolean } = { members: true }): Promise<Record<string, unknown>[]> {
  const rows = options.members ? await listSetMembers(p.db, sets.map((s) => s.id)) : [];
  const membersOf = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = membersOf.get(row.set_id);
    if (list) list.push(row);
    else membersOf.set(row.set_id, [row]);
  }
  return sets.map((set) => {
    const out: Record<string, unknown> = { schemas: [URN[p.flavour].group], id: set.id, displayName: set.display_name };
    if (set.external_id) out.externalId = set.external_id;
    const members = membersOf.get(set.id) ?? [];
    if (members.length) {
      out.members = members.map((m) =>
        p.flavour === '2.0' ? { value: m.member_id, $ref: `${p.base}/Users/${m.member_id}`, display: m.name, type: 'User' } : { value: m.member_id, display: m.name },
      );
    }
    const meta: Record<string, unknown> = p.flavour === '2.0' ? { resourceType: 'Group' } : {};
    out.meta = { ...meta, created: iso(set.created_time), lastModified: iso(set.updated_time), location: `${p.base}/Groups/${set.id}`, version: etagOf(set.updated_time) };
    return out;
  });
}
