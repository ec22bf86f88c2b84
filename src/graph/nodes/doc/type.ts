import { countComments, listComments, listCommentsOfMany } from '../../../db/repositories/comment.js';
import { type DocRevisionRow, type DocRow, listDocRevisions, listDocRevisionsOfMany } from '../../../db/repositories/doc.js';
import { allowed, authorize, groupInScope } from '../../../policies/graph.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles } from '../profile/type.js';
import { reactionsEdge } from '../reactor/type.js';
import { byParent, direction } from '../shared.js';

/** Reading a doc and its edges is reading its group's content. */
export const readDoc = (p: Presentation, d: DocRow) => authorize(p.actor, 'group.feed.read', { groupId: d.group_id, id: d.id });

export function docLink(p: Pick<Presentation, 'publicBase'>, d: Pick<DocRow, 'id' | 'group_id'>): string {
  return `${p.publicBase}/groups/${d.group_id}/docs/${d.id}`;
}

const ownDoc = (p: Pick<Presentation, 'actor'>, d: DocRow) => (p.actor.kind === 'integration' || p.actor.kind === 'app') && d.owner_id === p.actor.pageId;

/** Docs are edited together: whoever may write in the group may edit one. */
export function mayEditDoc(p: Pick<Presentation, 'actor'>, d: DocRow): boolean {
  if (p.actor.kind !== 'integration' && p.actor.kind !== 'app') return true;
  return groupInScope(p.actor, d.group_id) && allowed(p.actor, 'group.content.write');
}

/** Its author may delete a doc; others only with the moderation permission in scope. */
export function mayDeleteDoc(p: Pick<Presentation, 'actor'>, d: DocRow): boolean {
  if (p.actor.kind !== 'integration' && p.actor.kind !== 'app') return true;
  return groupInScope(p.actor, d.group_id) && (ownDoc(p, d) ? allowed(p.actor, 'group.content.write') : allowed(p.actor, 'group.content.moderate'));
}

/** One kept revision of a doc. */
export const docRevisionType: NodeType<DocRevisionRow> = {
  name: 'DocRevision',
  defaults: ['revision', 'subject', 'created_time'],
  id: (r) => `${r.doc_id}_${r.revision}`,
  fields: {
    revision: { kind: 'scalar', get: (r) => String(r.revision) },
    subject: { kind: 'scalar', get: (r) => r.title },
    message: { kind: 'scalar', get: (r) => r.body },
    created_time: { kind: 'scalar', get: (r) => graphTime(r.created_time) },
    from: { kind: 'ref', target: 'profile', key: (r) => r.editor_id, load: loadProfiles },
  },
  edges: {},
};

export const docType: NodeType<DocRow> = {
  name: 'GroupDoc',
  defaults: ['id', 'subject', 'updated_time'],
  id: (d) => d.id,
  fields: {
    id: { kind: 'scalar', get: (d) => d.id },
    subject: { kind: 'scalar', get: (d) => d.title },
    message: { kind: 'scalar', get: (d) => d.body },
    revision: { kind: 'scalar', get: (d) => String(d.revision) },
    created_time: { kind: 'scalar', get: (d) => graphTime(d.created_time) },
    updated_time: { kind: 'scalar', get: (d) => graphTime(d.updated_time) },
    link: { kind: 'scalar', get: (d, p) => docLink(p, d) },
    icon: { kind: 'scalar', get: (_d, p) => `${p.publicBase}/media/doc-icon.svg` },
    // Docs here have no cover photo: left out, as Graph leaves out empty values.
    cover_photo_url: { kind: 'scalar', get: () => undefined },
    can_edit: { kind: 'scalar', get: (d, p) => mayEditDoc(p, d) },
    can_delete: { kind: 'scalar', get: (d, p) => mayDeleteDoc(p, d) },
    from: { kind: 'ref', target: 'profile', key: (d) => d.owner_id, load: loadProfiles },
  },
  edges: {
    // A doc's comments, likes and reactions are those of the post that shows it.
    comments: {
      target: 'comment',
      authorize: readDoc,
      defaultOrder: 'chronological',
      position: (c) => ({ sort: c.created_time, id: c.id }),
      page: (p, d, q) => listComments(p.ctx.db, d.post_id, { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
      many: async (p, docs, q) => {
        const rows = await listCommentsOfMany(p.ctx.db, docs.map((d) => d.post_id), { since: q.since, until: q.until }, direction(q, 'asc'), q.limit);
        return byParent(docs.map((d) => d.post_id), rows, (r) => r.owner_id);
      },
      summary: async (p, docs, q) => {
        const counts = await countComments(p.ctx.db, docs.map((d) => d.post_id));
        return docs.map((d) => ({ order: q.order ?? 'chronological', total_count: counts.get(d.post_id) ?? 0, can_comment: true }));
      },
    },
    likes: reactionsEdge<DocRow>('likes', (d) => d.post_id, readDoc),
    reactions: reactionsEdge<DocRow>('reactions', (d) => d.post_id, readDoc),
    revisions: {
      target: 'doc_revision',
      authorize: readDoc,
      defaultOrder: 'reverse_chronological',
      position: (r) => ({ sort: r.revision, id: r.doc_id }),
      page: (p, d, q) => listDocRevisions(p.ctx.db, d.id, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
      many: async (p, docs, q) => {
        const rows = await listDocRevisionsOfMany(p.ctx.db, docs.map((d) => d.id), direction(q, 'desc'), q.limit);
        return byParent(docs.map((d) => d.id), rows, (r) => r.doc_id);
      },
    },
  },
};
