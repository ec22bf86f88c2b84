import type { MemberRow } from '../../../db/repositories/member.js';
import { listSkills, membersWithSkill, membersWithSkills, skillsOfMember, skillsOfMembers, type SkillRow } from '../../../db/repositories/skill.js';
import { authorize } from '../../../policies/graph.js';
import type { EdgeSpec, NodeType } from '../../../presenters/types.js';
import { byParent, direction } from '../shared.js';

/** A skill of the community; the same skill is shared by every member who lists it. */
export const skillType: NodeType<SkillRow> = {
  name: 'Skill',
  defaults: ['id', 'name'],
  id: (s) => s.id,
  fields: {
    id: { kind: 'scalar', get: (s) => s.id },
    name: { kind: 'scalar', get: (s) => s.name },
  },
  edges: {
    users: {
      target: 'member',
      authorize: (p) => authorize(p.actor, 'member.skills.read'),
      position: (m: MemberRow & { added_time: number }) => ({ sort: m.added_time, id: m.id }),
      page: (p, skill, q) => membersWithSkill(p.ctx.db, skill.id, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
      many: async (p, skills, q) => {
        const ids = skills.map((s) => s.id);
        return byParent(ids, await membersWithSkills(p.ctx.db, ids, direction(q, 'asc'), q.limit), (m) => m.skill_id);
      },
    },
  },
};

/** `/{member}/skills`, in the order the member added them. */
export const memberSkillsEdge: EdgeSpec<MemberRow, SkillRow & { added_time: number }> = {
  target: 'skill',
  authorize: (p) => authorize(p.actor, 'member.skills.read'),
  position: (s) => ({ sort: s.added_time, id: s.id }),
  page: (p, member, q) => skillsOfMember(p.ctx.db, member.id, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
  many: async (p, members, q) => {
    const ids = members.map((m) => m.id);
    return byParent(ids, await skillsOfMembers(p.ctx.db, ids, direction(q, 'asc'), q.limit), (s) => s.member_id);
  },
};

/** `/community/skills`: every skill some current profile lists, by name (`filter=` matches a prefix). */
export const communitySkillsEdge: EdgeSpec<unknown, SkillRow> = {
  target: 'skill',
  authorize: (p) => authorize(p.actor, 'member.skills.read'),
  position: (s) => ({ sort: s.name_lower, id: s.id }),
  page: (p, _c, q) => listSkills(p.ctx.db, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }, q.filter),
  many: async (p, parents, q) => {
    const { rows } = await listSkills(p.ctx.db, { limit: q.limit + 1, order: direction(q, 'asc') }, q.filter);
    return parents.map(() => rows);
  },
};
