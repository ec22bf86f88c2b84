import type { GroupRow } from '../db/repositories/group.js';

/** A group as the web apps' JSON APIs show it (admin panel and member app add their own fields). */
export function groupSummary(g: GroupRow & { member_count?: number }) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    privacy: g.privacy,
    join_setting: g.join_setting,
    post_permissions: g.post_permissions,
    archived: g.archived === 1,
    member_count: g.member_count,
  };
}
