import type { MemberRow } from '../db/repositories/member.js';
import { listSkills, membersWithSkill, skillsOfMember, type SkillRow } from '../db/repositories/skill.js';
import { authorize } from '../policies/graph.js';
import { direction, memberType } from './member.js';
import type { EdgeSpec, NodeType } from './types.js';

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
      target: () => memberType,
      authorize: (p) => authorize(p.actor, 'member.skills.read'),
      position: (m: MemberRow & { added_time: number }) => ({ sort: m.added_time, id: m.id }),
      page: (p, skill, q) => membersWithSkill(p.ctx.db, skill.id, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
    },
  },
};

/** `/{member}/skills`, in the order the member added them. */
export const memberSkillsEdge: EdgeSpec<MemberRow, SkillRow & { added_time: number }> = {
  target: () => skillType,
  authorize: (p) => authorize(p.actor, 'member.skills.read'),
  position: (s) => ({ sort: s.added_time, id: s.id }),
  page: (p, member, q) => skillsOfMember(p.ctx.db, member.id, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
};

/** `/community/skills`: every skill some current profile lists, by name (`filter=` matches a prefix). */
export const communitySkillsEdge: EdgeSpec<unknown, SkillRow> = {
  target: () => skillType,
  authorize: (p) => authorize(p.actor, 'member.skills.read'),
  position: (s) => ({ sort: s.name_lower, id: s.id }),
  page: (p, _c, q) => listSkills(p.ctx.db, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }, q.filter),
};
