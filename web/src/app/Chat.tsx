import { LinkPreviews, type PreviewCard } from './LinkPreview';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { get, post, query } from '../shared/api';
import { Message, safeHref } from '../shared/markdown';
import { Link, navigate, useLocation } from '../shared/router';
import { Avatar, Dialog, ErrorNote, Loading, Time, useLoad } from '../shared/ui';
import type { Me, ProfileRef } from './types';

interface Participant {
  id: string;
  type: 'member' | 'page';
  name: string | null;
  picture_url?: string | null;
  typing?: boolean;
}
interface BotInfo {
  id: string;
  name: string | null;
  greeting: unknown;
  get_started: { payload: string } | null;
  persistent_menu: { call_to_actions: MenuItem[] }[] | null;
}
interface MenuItem {
  type: string;
  title: string;
  payload?: string;
  url?: string;
}
interface Thread {
  id: string;
  kind: 'one_to_one' | 'group';
  name: string | null;
  updated_time: string;
  snippet: string | null;
  unread_count: number;
  participants: Participant[];
  bots: BotInfo[];
}
interface ChatButton {
  type: 'web_url' | 'postback' | 'phone_number';
  title: string;
  url?: string;
  payload?: string;
}
interface QuickReply {
  content_type: string;
  title?: string;
  payload?: string;
  image_url?: string;
}
type Attachment =
  | { type: 'template'; payload: { template_type: 'button'; text: string; buttons: ChatButton[] } | { template_type: 'generic'; elements: { title: string; subtitle?: string; image_url?: string; buttons?: ChatButton[] }[] } }
  | { type: 'image' | 'video' | 'audio' | 'file'; payload: { url?: string | null; name?: string | null } };
interface ChatMessage {
  id: string;
  from: { id: string; type: 'member' | 'page'; name: string | null; picture_url?: string | null };
  source: 'message' | 'system';
  text: string | null;
  created_time: string;
  timestamp: number;
  quick_replies: QuickReply[];
  attachments: Attachment[];
  previews: PreviewCard[];
}

function threadTitle(t: Thread, meId: string): string {
  if (t.name) return t.name;
  const others = t.participants.filter((p) => p.id !== meId);
  return others.map((p) => p.name ?? 'Someone').join(', ') || 'Just you';
}

/** Server-sent events of the member's conversations: calls back with the changed thread id. */
function useThreadEvents(onThread: (threadId: string) => void) {
  const callback = useRef(onThread);
  callback.current = onThread;
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/events');
    source.addEventListener('thread', (event) => {
      try {
        callback.current((JSON.parse((event as MessageEvent).data) as { thread_id: string }).thread_id);
      } catch {
        /* a malformed event changes nothing */
      }
    });
    return () => source.close();
  }, []);
}

export function ChatScreen({ me, threadId }: { me: Me; threadId?: string }) {
  const { search } = useLocation();
  const threads = useLoad((signal) => get<{ data: Thread[] }>('/api/threads', signal), []);
  const [version, setVersion] = useState(0);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>();
  const withId = search.get('with');
  useEffect(() => {
    if (!withId) return;
    post<Thread>('/api/threads', { participants: [withId] }).then(
      (t) => navigate(`/chat/${t.id}`, true),
      (e) => setError(e),
    );
  }, [withId]);
  useThreadEvents((changed) => {
    threads.reload();
    if (changed === threadId) setVersion((v) => v + 1);
  });
  const current = threads.data?.data.find((t) => t.id === threadId);
  return (
    <>
      <h1 tabIndex={-1} className="visually-hidden">
        Chat
      </h1>
      <ErrorNote error={error ?? threads.error} />
      <div className={`chat${threadId ? ' has-thread' : ''}`}>
        <nav className="threads" aria-label="Conversations">
          <div className="spread" style={{ padding: '0.6rem 0.75rem' }}>
            <h2 style={{ margin: 0 }}>Chats</h2>
            <button type="button" className="primary" onClick={() => setStarting(true)}>
              New
            </button>
          </div>
          {threads.loading && !threads.data && <Loading />}
          {threads.data && threads.data.data.length === 0 && <p className="muted" style={{ padding: '0 0.75rem' }}>No conversations yet.</p>}
          <ul>
            {threads.data?.data.map((t) => (
              <li key={t.id}>
                <Link to={`/chat/${t.id}`} aria-current={t.id === threadId ? 'page' : undefined}>
                  <Avatar src={t.kind === 'one_to_one' ? (t.participants.find((p) => p.id !== me.id)?.picture_url ?? null) : null} name="" size={36} />
                  <span style={{ minWidth: 0 }}>
                    <strong>{threadTitle(t, me.id)}</strong>
                    {t.bots.length > 0 && <span className="bot-badge">BOT</span>}
                    {t.unread_count > 0 && <span className="badge on" style={{ marginLeft: 4 }}>{t.unread_count} new</span>}
                    <div className="muted" style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
                      {t.snippet ?? ' '}
                    </div>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <section className="conversation" aria-label="Conversation">
          {threadId ? (
            <Conversation key={threadId} me={me} threadId={threadId} thread={current} version={version} onSent={threads.reload} />
          ) : (
            <p className="muted" style={{ padding: '1rem' }}>
              Pick a conversation, or start a new one with a person or a bot.
            </p>
          )}
        </section>
      </div>
      <NewChatDialog open={starting} onClose={() => setStarting(false)} />
    </>
  );
}

function NewChatDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<ProfileRef[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const results = useLoad((signal) => (q.trim() ? get<{ data: ProfileRef[] }>(`/api/people${query({ q, limit: 8 })}`, signal) : Promise.resolve({ data: [] })), [q]);
  const start = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const t = await post<Thread>('/api/threads', { participants: picked.map((p) => p.id), name: picked.length > 1 && name.trim() ? name.trim() : undefined });
      setPicked([]);
      setQ('');
      onClose();
      navigate(`/chat/${t.id}`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Dialog open={open} title="New conversation" onClose={onClose}>
      <form onSubmit={start}>
        <label className="field">
          <span className="label">To</span>
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search people and bots" autoFocus />
        </label>
        <div className="chips" aria-live="polite">
          {picked.map((p) => (
            <span key={p.id} className="chip">
              {p.name}{' '}
              <button type="button" className="link" aria-label={`Remove ${p.name}`} onClick={() => setPicked(picked.filter((x) => x.id !== p.id))}>
                ×
              </button>
            </span>
          ))}
        </div>
        <ul className="picker" aria-label="Matches">
          {results.data?.data
            .filter((p) => !picked.some((x) => x.id === p.id))
            .map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setPicked([...picked, p]);
                    setQ('');
                  }}
                >
                  <Avatar src={p.picture_url} name="" size={24} /> {p.name} {p.type === 'page' && <span className="bot-badge">BOT</span>}
                </button>
              </li>
            ))}
        </ul>
        {picked.length > 1 && (
          <label className="field">
            <span className="label">Group name (optional)</span>
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        )}
        <ErrorNote error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={picked.length === 0}>
            Start chat
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Buttons({ buttons, onPostback }: { buttons: ChatButton[]; onPostback: (b: ChatButton) => void }) {
  return (
    <div className="t-buttons">
      {buttons.map((b, i) => {
        if (b.type === 'postback')
          return (
            <button key={i} type="button" onClick={() => onPostback(b)}>
              {b.title}
            </button>
          );
        const href = b.type === 'phone_number' ? `tel:${(b.payload ?? '').replace(/[^+\d]/g, '')}` : safeHref(b.url ?? '');
        return href ? (
          <a key={i} className="button" href={href} target="_blank" rel="noopener noreferrer nofollow">
            {b.title}
          </a>
        ) : (
          <span key={i} className="button" aria-disabled="true">
            {b.title}
          </span>
        );
      })}
    </div>
  );
}

/** An image the server stored (its own signed link); remote URLs from older messages are not loaded (the CSP refuses them). */
function ownImage(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, window.location.href).origin === window.location.origin ? url : undefined;
  } catch {
    return undefined;
  }
}

function AttachmentView({ a, onPostback }: { a: Attachment; onPostback: (b: ChatButton) => void }) {
  if (a.type === 'template') {
    const p = a.payload;
    if (p.template_type === 'button')
      return (
        <div className="template">
          <div className="t-body">
            <Message text={p.text} />
          </div>
          <Buttons buttons={p.buttons} onPostback={onPostback} />
        </div>
      );
    return (
      <div className="row" style={{ alignItems: 'stretch', overflowX: 'auto' }}>
        {p.elements.map((e, i) => (
          <div className="template" key={i}>
            {ownImage(e.image_url) && <img src={ownImage(e.image_url)} alt="" style={{ width: '100%', maxHeight: 160, objectFit: 'cover' }} />}
            <div className="t-body">
              <strong>{e.title}</strong>
              {e.subtitle && <div className="muted">{e.subtitle}</div>}
            </div>
            {e.buttons && <Buttons buttons={e.buttons} onPostback={onPostback} />}
          </div>
        ))}
      </div>
    );
  }
  const url = a.payload.url ? (a.payload.url.startsWith('/') ? a.payload.url : safeHref(a.payload.url)) : null;
  if (!url) return null;
  if (a.type === 'image' && ownImage(url)) return <img src={url} alt={a.payload.name ?? 'Image'} style={{ maxWidth: 260, borderRadius: 12 }} />;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer nofollow">
      {a.payload.name ?? `Download ${a.type}`}
    </a>
  );
}

function Conversation({ me, threadId, thread, version, onSent }: { me: Me; threadId: string; thread?: Thread; version: number; onSent: () => void }) {
  const messages = useLoad((signal) => get<{ data: ChatMessage[] }>(`/api/threads/${threadId}/messages${query({ limit: 100 })}`, signal), [threadId, version]);
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const end = useRef<HTMLDivElement>(null);
  const list = messages.data?.data ?? [];
  const last = list[list.length - 1];
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
    if (last) void post(`/api/threads/${threadId}/read`, { watermark: last.timestamp }).then(onSent, () => undefined);
  }, [last?.id, threadId]);
  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      messages.reload();
      onSent();
    } catch (e) {
      setError(e);
    }
  };
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    const body = text;
    setText('');
    void run(() => post(`/api/threads/${threadId}/messages`, { text: body }));
  };
  const postback = (message: ChatMessage | null, b: { title: string; payload?: string }) => run(() => post(`/api/threads/${threadId}/postback`, { payload: b.payload, ...(message ? { message_id: message.id } : {}) }));
  const quickReplies = last && last.from.type === 'page' ? last.quick_replies.filter((q) => q.content_type === 'text' && q.payload) : [];
  const bot = thread?.bots[0];
  const typing = thread?.participants.filter((p) => p.typing && p.id !== me.id) ?? [];
  return (
    <>
      <div className="head">
        <Link to="/chat" className="button" aria-label="Back to conversations">
          ←
        </Link>
        <h2 style={{ margin: 0 }}>{thread ? threadTitle(thread, me.id) : 'Conversation'}</h2>
        {thread && thread.bots.length > 0 && <span className="bot-badge">BOT</span>}
      </div>
      <div className="messages" role="log" aria-live="polite" aria-label="Messages">
        {messages.loading && !messages.data && <Loading />}
        {list.length === 0 && messages.data && bot?.get_started && (
          <div className="template" style={{ alignSelf: 'center' }}>
            <div className="t-body">{bot.name} is a bot. Tap Get Started to begin.</div>
            <div className="t-buttons">
              <button type="button" onClick={() => postback(null, { title: 'Get Started', payload: bot.get_started!.payload })}>
                Get Started
              </button>
            </div>
          </div>
        )}
        {list.map((m) =>
          m.source === 'system' ? (
            <div key={m.id} className="msg system">
              {m.text}
            </div>
          ) : (
            <div key={m.id} className={`msg${m.from.id === me.id ? ' mine' : ''}`} data-message={m.id}>
              {m.from.id !== me.id && <Avatar src={m.from.picture_url} name="" size={28} />}
              <div className="stack">
                {m.from.id !== me.id && thread?.kind === 'group' && <div className="muted">{m.from.name}</div>}
                {m.text && (
                  <div className="bubble" title={new Date(m.created_time).toLocaleString()}>
                    <Message text={m.text} />
                  </div>
                )}
                <LinkPreviews previews={m.previews} compact />
                {m.attachments.map((a, i) => (
                  <AttachmentView key={i} a={a} onPostback={(b) => postback(m, b)} />
                ))}
              </div>
            </div>
          ),
        )}
        {typing.length > 0 && <div className="msg system">{typing.map((p) => p.name).join(', ')} is typing…</div>}
        <div ref={end} />
      </div>
      {quickReplies.length > 0 && (
        <div className="quick-replies" role="group" aria-label="Quick replies">
          {quickReplies.map((q) => (
            <button key={q.payload} type="button" onClick={() => run(() => post(`/api/threads/${threadId}/messages`, { quick_reply: { payload: q.payload } }))}>
              {ownImage(q.image_url) && <img src={ownImage(q.image_url)} alt="" width={16} height={16} style={{ borderRadius: '50%', objectFit: 'cover', verticalAlign: 'middle', marginRight: 6 }} />}
              {q.title}
            </button>
          ))}
        </div>
      )}
      {bot?.persistent_menu && bot.persistent_menu.length > 0 && (
        <details style={{ padding: '0 0.75rem' }}>
          <summary>Menu</summary>
          <div className="row" style={{ padding: '0.4rem 0' }}>
            {bot.persistent_menu
              .flatMap((m) => m.call_to_actions)
              .map((item, i) =>
                item.type === 'postback' ? (
                  <button key={i} type="button" onClick={() => postback(null, item)}>
                    {item.title}
                  </button>
                ) : item.url && safeHref(item.url) ? (
                  <a key={i} className="button" href={safeHref(item.url)!} target="_blank" rel="noopener noreferrer nofollow">
                    {item.title}
                  </a>
                ) : null,
              )}
          </div>
        </details>
      )}
      <ErrorNote error={error ?? messages.error} />
      <form onSubmit={send} className="row" aria-label="Send a message">
        <label htmlFor="chat-text" className="visually-hidden">
          Message
        </label>
        <input id="chat-text" type="text" value={text} onChange={(e) => setText(e.target.value)} placeholder="Aa" autoComplete="off" style={{ flex: 1 }} maxLength={2000} />
        <button type="submit" className="primary" disabled={!text.trim()}>
          Send
        </button>
      </form>
      <p className="visually-hidden">
        Last activity <Time value={thread?.updated_time} />
      </p>
    </>
  );
}
