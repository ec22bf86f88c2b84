import type { Db } from '../db/database.js';
import { isKnowledgeEditor, listAllCategories, type KnowledgeCategoryRow } from '../db/repositories/knowledge.js';
import { findMemberById } from '../db/repositories/member.js';
import type { Actor } from './actor.js';
import { type KnowledgeReader, readableCategoryIds } from './knowledge.js';

/** Members who edit the Knowledge Library: system admins and the editors admins name. */
export async function isKnowledgeLibraryEditor(db: Db, memberId: string): Promise<boolean> {
  const member = await findMemberById(db, memberId);
  if (!member || member.state === 'deactivated') return false;
  return !!member.is_admin || (await isKnowledgeEditor(db, memberId));
}

/** How the audience rules see an actor (domain/knowledge.ts `KnowledgeReader`). */
export async function knowledgeReaderOf(db: Db, actor: Actor): Promise<KnowledgeReader> {
  switch (actor.kind) {
    case 'system':
      return { kind: 'everything', drafts: true };
    case 'integration':
    case 'app': {
      const drafts = actor.permissions.has('manage_work_knowledge');
      return actor.scopeAll ? { kind: 'everything', drafts } : { kind: 'scoped', groupIds: actor.groupIds, drafts };
    }
    case 'member': {
      if (actor.isAdmin || (await isKnowledgeLibraryEditor(db, actor.memberId))) return { kind: 'everything', drafts: true };
      const member = await findMemberById(db, actor.memberId);
      if (!member) return { kind: 'scoped', groupIds: new Set(), drafts: false };
      const groups = await db.selectFrom('group_member').select('group_id').where('member_id', '=', member.id).execute();
      return { kind: 'member', member, groupIds: new Set(groups.map((g) => g.group_id)) };
    }
  }
}

/** Every category the actor may read, siblings in order. */
export async function readableCategories(db: Db, actor: Actor): Promise<KnowledgeCategoryRow[]> {
  const [rows, reader] = await Promise.all([listAllCategories(db), knowledgeReaderOf(db, actor)]);
  const readable = readableCategoryIds(rows, reader);
  return rows.filter((r) => readable.has(r.id));
}
