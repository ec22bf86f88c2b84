import type { Context } from '../context.js';
import { type ExportJobRow, findExportJob } from '../db/repositories/exportJob.js';
import type { ObjectType } from '../db/repositories/object.js';
import { findSkillById, type SkillRow } from '../db/repositories/skill.js';
import type { Actor } from '../domain/actor.js';
import { authorize } from '../policies/graph.js';
import { exportJobType } from '../presenters/exportJob.js';
import { skillType } from '../presenters/skill.js';
import type { NodeType } from '../presenters/types.js';

// The community features' node types (skills, data export jobs): how an id resolves, how the
// node is presented and who may read it. These move into the node registry when it lands.

export type CommunityNode = { type: 'skill'; id: string; row: SkillRow } | { type: 'export_job'; id: string; row: ExportJobRow };

export async function resolveCommunityObject(ctx: Context, type: ObjectType, id: string): Promise<CommunityNode | undefined> {
  if (type === 'skill') {
    const row = await findSkillById(ctx.db, id);
    return row && { type, id, row };
  }
  if (type === 'export_job') {
    const row = await findExportJob(ctx.db, id);
    return row && { type, id, row };
  }
  return undefined;
}

export function presentableCommunity(node: CommunityNode): { type: NodeType<any>; row: unknown } {
  return node.type === 'skill' ? { type: skillType, row: node.row } : { type: exportJobType, row: node.row };
}

export function authorizeCommunityRead(actor: Actor, node: CommunityNode): void {
  authorize(actor, node.type === 'skill' ? 'member.skills.read' : 'export.employee_data');
}
