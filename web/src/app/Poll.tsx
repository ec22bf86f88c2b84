import { useId, useState } from 'react';
import { del, put } from '../shared/api';
import { ErrorNote } from '../shared/ui';
import type { Poll, Post } from './types';

/** The limits the server checks (src/domain/commands/poll.ts), so the form can say them first. */
export const POLL_MAX_OPTIONS = 20;
const POLL_MIN_OPTIONS = 2;

/** A poll being written in the composer. */
export interface PollDraft {
  question: string;
  options: string[];
  multiple_choice: boolean;
}

export const emptyPoll = (): PollDraft => ({ question: '', options: ['', ''], multiple_choice: false });

/** The question, 2–20 options and "allow several answers": the poll part of the composer. */
export function PollEditor({ draft, onChange, onRemove }: { draft: PollDraft; onChange: (d: PollDraft) => void; onRemove: () => void }) {
  const id = useId();
  const setOption = (i: number, value: string) => onChange({ ...draft, options: draft.options.map((o, j) => (j === i ? value : o)) });
  return (
    <fieldset className="poll-editor stack">
      <legend>Poll</legend>
      <label htmlFor={`${id}-q`} className="label">
        Question
      </label>
      <input id={`${id}-q`} value={draft.question} maxLength={500} onChange={(e) => onChange({ ...draft, question: e.target.value })} placeholder="Ask a question…" />
      {draft.options.map((o, i) => (
        <div key={i} className="row">
          <label className="visually-hidden" htmlFor={`${id}-o${i}`}>
            Option {i + 1}
          </label>
          <input id={`${id}-o${i}`} value={o} maxLength={200} placeholder={`Option ${i + 1}`} onChange={(e) => setOption(i, e.target.value)} style={{ flex: 1 }} />
          {draft.options.length > POLL_MIN_OPTIONS && (
            <button type="button" className="link" aria-label={`Remove option ${i + 1}`} onClick={() => onChange({ ...draft, options: draft.options.filter((_, j) => j !== i) })}>
              ✕
            </button>
          )}
        </div>
      ))}
      <div className="row">
        {draft.options.length < POLL_MAX_OPTIONS && (
          <button type="button" onClick={() => onChange({ ...draft, options: [...draft.options, ''] })}>
            Add option
          </button>
        )}
        <label className="row" style={{ gap: '0.3rem' }}>
          <input type="checkbox" checked={draft.multiple_choice} onChange={(e) => onChange({ ...draft, multiple_choice: e.target.checked })} />
          Allow several answers
        </label>
        <span style={{ flex: 1 }} />
        <button type="button" className="link" onClick={onRemove}>
          Remove poll
        </button>
      </div>
    </fieldset>
  );
}

/** A draft the server will take: a question and at least two options. */
export const pollReady = (d: PollDraft | null) => !!d && d.question.trim() !== '' && d.options.filter((o) => o.trim()).length >= POLL_MIN_OPTIONS;

/**
 * A poll in a post: pick an option (or several), see the count and share of each; change or take
 * back the answer. Results show to everyone who can read the post.
 */
export function PollView({ postId, poll, canVote, onChange }: { postId: string; poll: Poll; canVote: boolean; onChange: (p: Post) => void }) {
  const [error, setError] = useState<unknown>();
  // The answer being sent shows at once; the counts follow when the server has it.
  const [pending, setPending] = useState<string[] | null>(null);
  const name = useId();
  const busy = pending !== null;
  const mine = pending ?? poll.options.filter((o) => o.mine).map((o) => o.id);
  const answer = async (optionIds: string[]) => {
    setPending(optionIds);
    setError(undefined);
    try {
      onChange(optionIds.length ? await put<Post>(`/api/posts/${postId}/poll/votes`, { option_ids: optionIds }) : await del<Post>(`/api/posts/${postId}/poll/votes`));
    } catch (e) {
      setError(e);
    } finally {
      setPending(null);
    }
  };
  const toggle = (id: string) => (poll.multiple_choice ? answer(mine.includes(id) ? mine.filter((x) => x !== id) : [...mine, id]) : answer([id]));
  return (
    <fieldset className="poll" data-poll={poll.id}>
      <legend className="poll-question">{poll.question}</legend>
      <p className="muted">
        {poll.multiple_choice ? 'Choose one or more' : 'Choose one'} · {poll.voter_count === 1 ? '1 person answered' : `${poll.voter_count} people answered`}
      </p>
      <ul className="poll-options">
        {poll.options.map((o) => (
          <li key={o.id} className={mine.includes(o.id) ? 'mine' : undefined}>
            <label>
              <input type={poll.multiple_choice ? 'checkbox' : 'radio'} name={name} checked={mine.includes(o.id)} disabled={!canVote || busy} onChange={() => void toggle(o.id)} />
              <span className="poll-name">{o.name}</span>
              <span className="poll-count">
                {o.percent}% · {o.vote_count === 1 ? '1 vote' : `${o.vote_count} votes`}
              </span>
            </label>
            <span className="poll-bar" aria-hidden="true">
              <span style={{ width: `${o.percent}%` }} />
            </span>
          </li>
        ))}
      </ul>
      {canVote && mine.length > 0 && (
        <button type="button" className="link" disabled={busy} onClick={() => void answer([])}>
          Take back my answer
        </button>
      )}
      <ErrorNote error={error} />
    </fieldset>
  );
}
