import type { Context } from '../context.js';
import { type ExportJobRow, findExportJob } from '../db/repositories/exportJob.js';
import type { ObjectType } from '../db/repositories/object.js';
import { findReport, type ReportRow } from '../db/repositories/reportedContent.js';
import { findSkillById, type SkillRow } from '../db/repositories/skill.js';
import type { Actor } from '../domain/actor.js';
import { authorize, groupInScope } from '../policies/graph.js';
import { unknownObject } from '../errors.js';
import { exportJobType } from '../presenters/exportJob.js';
import { reportedContentType } from '../presenters/reportedContent.js';
import { skillType } from '../presenters/skill.js';
import type { NodeType } from '../presenters/types.js';

// The community features' node types (skills, data export jobs, reported content): how an id resolves, how the
// node is presented and who may read it. These move into the node registry when it lands.

export type CommunityNode =
  | { type: 'skill'; id: string; row: SkillRow }
  | { type: 'export_job'; id: string; row: ExportJobRow }
  | { type: 'reported_content'; id: string; row: ReportRow };

export async function resolveCommunityObject(ctx: Context, type: ObjectType, id: string): Promise<CommunityNode | undefined> {
  if (type === 'skill') {
    const row = await findSkillById(ctx.db, id);
    return row && { type, id, row };
  }
  if (type === 'export_job') {
    const row = await findExportJob(ctx.db, id);
    return row && { type, id, row };
  }
  if (type === 'reported_content') {
    const row = await findReport(ctx.db, id);
    return row && { type, id, row };
  }
  return undefined;
}

export function presentableCommunity(node: CommunityNode): { type: NodeType<any>; row: unknown } {
  switch (node.type) {
    case 'skill':
      return { type: skillType, row: node.row };
    case 'export_job':
      return { type: exportJobType, row: node.row };
    case 'reported_content':
      return { type: reportedContentType, row: node.row };
  }
}

/** A report of a group outside the integration's scope is an unknown object, like the group itself. */
export function authorizeCommunityRead(actor: Actor, node: CommunityNode, segment: string, method: string): void {
  switch (node.type) {
    case 'skill':
      return authorize(actor, 'member.skills.read');
    case 'export_job':
      return authorize(actor, 'export.employee_data');
    case 'reported_content':
      if (!groupInScope(actor, node.row.group_id)) throw unknownObject(segment, method);
      return authorize(actor, 'reported_content.read');
  }
}
