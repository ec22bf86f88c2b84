import { findSkillsByIds, type SkillRow } from '../../../db/repositories/skill.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { skillType } from './type.js';

export type SkillNode = AddressedNode<'skill', SkillRow>;

/** `/{skill-id}` and `/{skill-id}/users`. */
export const skillNode: NodeDefinition<SkillNode, SkillRow> = {
  key: 'skill',
  type: skillType,
  load: async (ctx, _actor, ids) => new Map((await findSkillsByIds(ctx.db, ids)).map((row) => [row.id, { type: 'skill' as const, id: row.id, row }])),
  read: { rule: 'skill', target: (node) => ({ id: node.id }) },
  routes: [],
};
