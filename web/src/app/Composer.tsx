import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { get, post, query, readDataUrl } from '../shared/api';
import { Avatar, ErrorNote } from '../shared/ui';
import { emptyPoll, type PollDraft, PollEditor, pollReady } from './Poll';
import type { ProfileRef } from './types';

interface Mention {
  id: string;
  name: string;
}

/** Turns the `@Name` mentions picked in the box into `@[id]` for the API. */
export function encodeMentions(text: string, mentions: Mention[]): string {
  let out = text;
  for (const m of mentions) out = out.replace(`@${m.name}`, `@[${m.id}]`);
  return out;
}

/**
 * A message box with an @mention picker for people and bots: type @ and a few letters, pick
 * with the arrow keys and Enter (or click). Optionally attaches photos and a poll.
 */
export function Composer({
  label,
  placeholder,
  submitLabel,
  onSubmit,
  photos = false,
  polls = false,
  groupId,
  compact = false,
  autoFocus = false,
}: {
  label: string;
  placeholder?: string;
  submitLabel: string;
  onSubmit: (message: string, photoIds: string[], poll?: PollDraft) => Promise<void>;
  photos?: boolean;
  /** Offer a poll under the message. */
  polls?: boolean;
  groupId?: string;
  compact?: boolean;
  autoFocus?: boolean;
}) {
  const [text, setText] = useState('');
  const [mentions, setMentions] = useState<Mention[]>([]);
  const [suggestions, setSuggestions] = useState<ProfileRef[]>([]);
  const [active, setActive] = useState(0);
  const [attached, setAttached] = useState<{ id: string; url: string | null }[]>([]);
  const [poll, setPoll] = useState<PollDraft | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const listId = `${id}-mentions`;

  const mentionQuery = () => {
    const el = box.current;
    if (!el) return null;
    const before = text.slice(0, el.selectionStart ?? text.length);
    const m = /(^|\s)@([^\s@]{0,30})$/.exec(before);
    return m ? { q: m[2], start: before.length - m[2].length - 1 } : null;
  };
  useEffect(() => {
    const mq = mentionQuery();
    if (!mq) return setSuggestions([]);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      get<{ data: ProfileRef[] }>(`/api/people${query({ q: mq.q, limit: 6 })}`, controller.signal).then(
        (r) => {
          setSuggestions(r.data);
          setActive(0);
        },
        () => undefined,
      );
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  const pick = (p: ProfileRef) => {
    const mq = mentionQuery();
    if (!mq) return;
    const el = box.current!;
    const end = el.selectionStart ?? text.length;
    const next = `${text.slice(0, mq.start)}@${p.name} ${text.slice(end)}`;
    setText(next);
    setMentions([...mentions.filter((m) => m.id !== p.id), { id: p.id, name: p.name }]);
    setSuggestions([]);
    requestAnimationFrame(() => {
      el.focus();
      const at = mq.start + p.name.length + 2;
      el.setSelectionRange(at, at);
    });
  };
  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setActive((active + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        pick(suggestions[active]);
        return;
      }
      if (event.key === 'Escape') {
        setSuggestions([]);
        return;
      }
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  };
  const attach = async (files: FileList | null) => {
    setError(undefined);
    for (const file of Array.from(files ?? [])) {
      try {
        const uploaded = await post<{ id: string; url: string | null }>('/api/photos', { data: await readDataUrl(file), group_id: groupId });
        setAttached((a) => [...a, uploaded]);
      } catch (e) {
        setError(e);
      }
    }
  };
  const canSubmit = poll ? pollReady(poll) : !!text.trim() || attached.length > 0;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(encodeMentions(text, mentions), attached.map((a) => a.id), poll ?? undefined);
      setText('');
      setMentions([]);
      setAttached([]);
      setPoll(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className={`composer${compact ? ' compact' : ''}`} onSubmit={submit}>
      <label htmlFor={id} className={compact ? 'visually-hidden' : 'label'}>
        {label}
      </label>
      <div className="composer-box">
        <textarea
          ref={box}
          id={id}
          value={text}
          placeholder={placeholder}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={keyDown}
          rows={compact ? 1 : 3}
          autoFocus={autoFocus}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={suggestions.length > 0}
          aria-controls={listId}
          aria-activedescendant={suggestions.length ? `${listId}-${active}` : undefined}
        />
        {suggestions.length > 0 && (
          <ul className="suggestions" id={listId} role="listbox" aria-label="People and bots to mention">
            {suggestions.map((s, i) => (
              <li
                key={s.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(s);
                }}
              >
                <Avatar src={s.picture_url} name="" size={24} /> {s.name} {s.type === 'page' && <span className="badge neutral">Bot</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      {attached.length > 0 && (
        <div className="row">
          {attached.map((a) => (
            <span key={a.id} className="thumb">
              {a.url && <img src={a.url} alt="Attached photo" width={64} height={64} />}
              <button type="button" className="link" aria-label="Remove photo" onClick={() => setAttached(attached.filter((x) => x.id !== a.id))}>
                ✕
              </button>
            </span>
          ))}
        </div>
      )}
      {poll && <PollEditor draft={poll} onChange={setPoll} onRemove={() => setPoll(null)} />}
      <ErrorNote error={error} />
      <div className="row composer-actions">
        {photos && (
          <label className="button">
            Photo
            <input className="visually-hidden" type="file" accept="image/png,image/jpeg,image/gif,image/webp" multiple onChange={(e) => void attach(e.target.files)} />
          </label>
        )}
        {polls && !poll && (
          <button type="button" onClick={() => setPoll(emptyPoll())}>
            Poll
          </button>
        )}
        <button type="submit" className="primary" disabled={busy || !canSubmit}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
