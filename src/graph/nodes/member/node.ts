import { findMemberByEmail, findMembersByIds, type MemberRow } from '../../../db/repositories/member.js';
import { authorize } from '../../../policies/graph.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { memberRoutes } from './routes.js';
import { type MemberView, memberType } from './type.js';

export type MemberNode = AddressedNode<'member', MemberRow>;

const nodeOf = (row: MemberRow): MemberNode => ({ type: 'member', id: row.id, row });

/** A member, by id or by email (with the permission to read emails). */
export const memberNode: NodeDefinition<MemberNode, MemberView> = {
  key: 'member',
  type: memberType,
  recognize: async (ctx, actor, segment) => {
    if (!segment.includes('@')) return undefined;
    authorize(actor, 'member.email');
    const row = await findMemberByEmail(ctx.db, segment);
    return row ? nodeOf(row) : null;
  },
  load: async (ctx, _actor, ids) => new Map((await findMembersByIds(ctx.db, ids)).map((row) => [row.id, nodeOf(row)])),
  read: { rule: 'member', target: (node) => ({ id: node.id }) },
  routes: memberRoutes,
};
