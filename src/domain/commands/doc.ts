import { type DocRow, insertDoc, reviseDoc } from '../../db/repositories/doc.js';
import type { GroupRow } from '../../db/repositories/group.js';
import { deletePostsCascade, type PostRow, updatePost } from '../../db/repositories/post.js';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { recordChange } from '../events.js';
import { htmlText, sanitizeDocHtml } from '../html.js';
import { postCreator, postEvents, postWireId } from './post.js';
import type { Write } from './shared.js';

const MAX_TITLE = 255;
const MAX_BODY = 512 * 1024;

function checkTitle(title: string | undefined): string {
  const clean = title?.trim();
  if (!clean) throw invalidParameter('A doc needs a title');
  if (clean.length > MAX_TITLE) throw invalidParameter(`A doc title has at most ${MAX_TITLE} characters`);
  return clean;
}

function checkBody(body: string | undefined): string {
  if (body !== undefined && body.length > MAX_BODY) throw invalidParameter(`A doc body has at most ${MAX_BODY} characters`);
  return sanitizeDocHtml(body ?? '');
}

/** The post line of a doc: its title (the feed shows "… created a doc"). */
const postMessage = (title: string) => title;

/** POST /{group}/docs: a doc (revision 1, HTML sanitized) and the post that shows it in the feed. */
export async function docCreator(w: Write, group: GroupRow, input: { title?: string; body?: string }): Promise<{ doc: DocRow; post: PostRow }> {
  const title = checkTitle(input.title);
  const body = checkBody(input.body);
  const author = authorOf(w.actor);
  const id = newId();
  let doc: DocRow | undefined;
  const post = await postCreator(w, {
    feedId: group.id,
    feedType: 'group',
    message: postMessage(title),
    allowDuplicate: true,
    backs: async (post) => {
      const now = w.ctx.clock.now();
      doc = { id, group_id: group.id, post_id: post.id, owner_id: author.id, owner_type: author.type, title, body, revision: 1, created_time: now, updated_time: now };
      await insertDoc(w.trx, doc, { doc_id: id, revision: 1, title, body, editor_id: author.id, editor_type: author.type, created_time: now });
      return { doc: { id, title, length: htmlText(body).length } };
    },
  });
  return { doc: doc!, post };
}

/** POST /{doc}: a new revision with the given title and/or body; no change writes nothing. */
export async function docUpdater({ ctx, actor, trx }: Write, doc: DocRow, post: PostRow, input: { title?: string; body?: string }): Promise<boolean> {
  const title = input.title === undefined ? doc.title : checkTitle(input.title);
  const body = input.body === undefined ? doc.body : checkBody(input.body);
  if (title === doc.title && body === doc.body) return false;
  const editor = authorOf(actor);
  const now = ctx.clock.now();
  const revision = doc.revision + 1;
  await reviseDoc(trx, doc.id, { doc_id: doc.id, revision, title, body, editor_id: editor.id, editor_type: editor.type, created_time: now });
  if (title !== doc.title) await updatePost(trx, post.id, { message: postMessage(title), updated_time: now });
  await recordChange(trx, ctx, actor, {
    action: 'doc.updated',
    target: { type: 'doc', id: doc.id },
    old: { title: doc.title, revision: doc.revision },
    new: { title, revision },
  });
  return true;
}

/** DELETE /{doc}: the doc, its revisions and its post (with the comments and reactions on it). */
export async function docDeleter({ ctx, actor, trx }: Write, doc: DocRow, post: PostRow): Promise<void> {
  await deletePostsCascade(trx, [post.id]);
  await recordChange(trx, ctx, actor, {
    action: 'doc.deleted',
    target: { type: 'doc', id: doc.id },
    old: { title: doc.title, revision: doc.revision, post_id: postWireId(post) },
    events: postEvents(post, 'delete', [], null),
  });
}
