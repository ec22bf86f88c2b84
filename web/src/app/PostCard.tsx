import { useState } from 'react';
import { del, patch, post, put } from '../shared/api';
import { Message, type MessageTag } from '../shared/markdown';
import { Link, navigate } from '../shared/router';
import { PostAttachments } from './GroupContent';
import { Avatar, ErrorNote, Time, toast } from '../shared/ui';
import { Composer } from './Composer';
import type { Comment, Post, ProfileRef } from './types';
import { PollView } from './Poll';
import { ReportButton } from './ReportButton';
import { LinkPreviews, useArrivingPreviews } from './LinkPreview';

/** Reaction types with their words (words, not emoji: they read the same on every system and to screen readers). */
export const REACTIONS: [string, string][] = [
  ['LIKE', 'Like'],
  ['LOVE', 'Love'],
  ['HAHA', 'Haha'],
  ['WOW', 'Wow'],
  ['SAD', 'Sad'],
  ['ANGRY', 'Angry'],
  ['CARE', 'Care'],
];

export const profileHref = (p: Pick<ProfileRef, 'id'>) => `/people/${p.id}`;
const mentionHref = (tag: MessageTag) => `/people/${tag.id}`;

export function AuthorName({ from }: { from: ProfileRef }) {
  return (
    <>
      <Link className="author" to={profileHref(from)}>
        {from.name}
      </Link>
      {from.type === 'page' && (
        <span className="bot-badge" title="A custom integration">
          BOT
        </span>
      )}
    </>
  );
}

function ReactionBar({ kind, id, reactions, disabled, onChange }: { kind: 'posts' | 'comments'; id: string; reactions: Post['reactions']; disabled: boolean; onChange: (p: Post) => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>();
  const react = async (type: string | null) => {
    setError(undefined);
    try {
      onChange(type ? await put<Post>(`/api/${kind}/${id}/reaction`, { type }) : await del<Post>(`/api/${kind}/${id}/reaction`));
      setOpen(false);
    } catch (e) {
      setError(e);
    }
  };
  const mine = REACTIONS.find((r) => r[0] === reactions.mine);
  const summary = Object.entries(reactions.by_type)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${n} ${REACTIONS.find((r) => r[0] === t)?.[1] ?? t}`)
    .join(' · ');
  return (
    <span className="row" style={{ gap: '0.35rem' }}>
      <button type="button" className={kind === 'comments' ? 'link' : ''} aria-pressed={!!mine} disabled={disabled} onClick={() => react(mine ? null : 'LIKE')}>
        {mine ? (mine[0] === 'LIKE' ? 'Liked' : mine[1]) : 'Like'}
      </button>
      {!disabled && (
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          React…
        </button>
      )}
      {open && (
        <span className="reaction-picker" role="group" aria-label="Reactions">
          {REACTIONS.map(([type, label]) => (
            <button key={type} type="button" aria-pressed={reactions.mine === type} onClick={() => react(type)}>
              {label}
            </button>
          ))}
        </span>
      )}
      {reactions.total > 0 && (
        <span className="muted">{summary}</span>
      )}
      <ErrorNote error={error} />
    </span>
  );
}

function CommentItem({ c, canInteract, canDelete, onChange, onReply }: { c: Comment; canInteract: boolean; canDelete: boolean; onChange: (p: Post) => void; onReply: () => void }) {
  return (
    <li className={`comment${c.parent_id ? ' reply' : ''}`} data-comment={c.id}>
      <Avatar src={c.from.picture_url} name="" size={32} />
      <div>
        <div className="bubble">
          <AuthorName from={c.from} />
          <Message text={c.message} tags={c.message_tags} mentionHref={mentionHref} onNavigate={navigate} />
          {c.photo_url && <img src={c.photo_url} alt="Photo in comment" style={{ maxWidth: 200, borderRadius: 6 }} />}
          <LinkPreviews previews={c.previews} compact />
        </div>
        <div className="actions-line">
          <Time value={c.created_time} />
          <ReactionBar kind="comments" id={c.id} reactions={c.reactions} disabled={!canInteract} onChange={onChange} />
          {canInteract && (
            <button type="button" className="link" onClick={onReply}>
              Reply
            </button>
          )}
          {canDelete && (
            <button type="button" className="link" onClick={async () => onChange(await del<Post>(`/api/comments/${c.id}`))}>
              Delete
            </button>
          )}
        </div>
      </div>
    </li>
  );
}

/** One post: author (a person, or a bot with its page's name and picture), message, photos, reactions, comments. */
export function PostCard({ initial, meId, canInteract, canModerate, showGroup, onDeleted }: { initial: Post; meId: string; canInteract: boolean; canModerate: boolean; showGroup?: boolean; onDeleted?: () => void }) {
  const [p, setP] = useState(initial);
  useArrivingPreviews(p, [p.link, p.message], `/api/posts/${p.id}`, setP);
  const [replyTo, setReplyTo] = useState<Comment | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(p.message ?? '');
  const [error, setError] = useState<unknown>();
  const remove = async () => {
    if (!confirm('Delete this post?')) return;
    try {
      await del(`/api/posts/${p.id}`);
      toast('Post deleted');
      onDeleted?.();
    } catch (e) {
      setError(e);
    }
  };
  const saveEdit = async () => {
    try {
      setP(await patch<Post>(`/api/posts/${p.id}`, { message: draft }));
      setEditing(false);
    } catch (e) {
      setError(e);
    }
  };
  const comment = async (message: string, photoIds: string[]) => {
    setP(await post<Post>(`/api/posts/${p.id}/comments`, { message, parent_id: replyTo?.id, photo_id: photoIds[0] }));
    setReplyTo(null);
  };
  return (
    <article className="panel post" data-post={p.id} aria-labelledby={`post-${p.id}`}>
      <header>
        <Avatar src={p.from.picture_url} name={p.from.name} size={44} />
        <div>
          <div id={`post-${p.id}`}>
            <AuthorName from={p.from} />
            {showGroup && p.group_id && (
              <span className="meta">
                {' '}
                ▸ <Link to={`/groups/${p.group_id}`}>{p.group_name ?? 'group'}</Link>
              </span>
            )}
          </div>
          <div className="meta">
            <Time value={p.created_time} />
          </div>
        </div>
      </header>
      {editing ? (
        <div className="stack">
          <label className="visually-hidden" htmlFor={`edit-${p.id}`}>
            Edit post
          </label>
          <textarea id={`edit-${p.id}`} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <div className="row">
            <button type="button" className="primary" onClick={saveEdit}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <Message text={p.message} markdown={p.formatting === 'MARKDOWN'} tags={p.message_tags} mentionHref={mentionHref} onNavigate={navigate} />
      )}
      {p.link && !p.previews.some((x) => x.url === p.link) && (
        <p>
          <a href={p.link} target="_blank" rel="noopener noreferrer nofollow">
            {p.link}
          </a>
        </p>
      )}
      {p.poll && <PollView postId={p.id} poll={p.poll} canVote={canInteract} onChange={setP} />}
      <LinkPreviews previews={p.previews} />
      {p.photos.length > 0 && (
        <div className="photos">
          {p.photos.map((ph) => ph.url && <img key={ph.id} src={ph.url} alt={ph.caption ?? `Photo posted by ${p.from.name}`} loading="lazy" />)}
        </div>
      )}
      <PostAttachments post={p} />
      <ErrorNote error={error} />
      <div className="bar">
        <ReactionBar kind="posts" id={p.id} reactions={p.reactions} disabled={!canInteract} onChange={setP} />
        <span className="muted">{p.comment_count === 1 ? '1 comment' : `${p.comment_count} comments`}</span>
        <span style={{ flex: 1 }} />
        {p.from.id === meId && (
          <button type="button" className="link" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {(p.from.id === meId || canModerate) && (
          <button type="button" className="link" onClick={remove}>
            Delete
          </button>
        )}
        {p.from.id !== meId && p.group_id && <ReportButton id={p.id} what="post" />}
      </div>
      {p.comments.length > 0 && (
        <ul className="comments" aria-label="Comments">
          {p.comments.map((c) => (
            <CommentItem key={c.id} c={c} canInteract={canInteract} canDelete={c.from.id === meId || canModerate} onChange={setP} onReply={() => setReplyTo(c)} />
          ))}
        </ul>
      )}
      {canInteract && (
        <>
          {replyTo && (
            <p className="muted">
              Replying to {replyTo.from.name}{' '}
              <button type="button" className="link" onClick={() => setReplyTo(null)}>
                Cancel
              </button>
            </p>
          )}
          <Composer key={replyTo?.id ?? 'top'} compact label={replyTo ? `Reply to ${replyTo.from.name}` : 'Write a comment'} placeholder={replyTo ? 'Write a reply…' : 'Write a comment…'} submitLabel={replyTo ? 'Reply' : 'Comment'} onSubmit={comment} autoFocus={!!replyTo} />
        </>
      )}
    </article>
  );
}
