import { type FormEvent, useRef, useState } from 'react';
import { ApiError, call, del, get, patch, post } from '../shared/api';
import { Message } from '../shared/markdown';
import { Link, useLocation } from '../shared/router';
import { copyText, ErrorNote, Field, Loading, Time, toast, useLoad } from '../shared/ui';
import type { IntegrationView } from './types';

interface Hook {
  id: string;
  name: string;
  source: 'slack' | 'github' | 'alertmanager';
  target: { type: 'group' | 'thread'; id: string };
  target_name: string | null;
  app_id: string | null;
  key_hint: string;
  signed: boolean;
  allow_overrides: boolean;
  allow_broadcast: boolean;
  rate_per_minute: number;
  status: 'active' | 'revoked';
  post_count: number;
  error_count: number;
  last_used_time: string | null;
  created_time: string;
}

interface HookDelivery {
  id: string;
  time: string;
  status: number;
  answer: string;
  event: string | null;
  request: string;
  rendered: string | null;
  object_id: string | null;
}

interface Issued {
  id: string;
  url: string;
  signing_secret?: string;
}

interface Feed {
  id: string;
  group_id: string;
  group_name: string | null;
  url: string;
  title: string | null;
  interval_minutes: number;
  status: 'active' | 'failing' | 'paused';
  paused_reason: string | null;
  last_error: string | null;
  last_poll_time: string | null;
  next_poll_time: string | null;
  last_item: { title: string; time: string } | null;
  item_count: number;
}

interface Rule {
  group_id: string;
  group_name: string | null;
  expression: string;
  keep_manual: boolean;
  enabled: boolean;
  last_evaluated_time: string | null;
}

interface Person {
  id: string;
  name: string;
  email: string | null;
  department: string | null;
  title: string | null;
}

interface Preview {
  joins: Person[];
  leaves: Person[];
  matching: number;
  group_size: number;
  guard: { refused: boolean; limit: number | null };
}

type GroupOption = { id: string; name: string; archived: boolean };

const SOURCES = { slack: 'Slack format', github: 'GitHub', alertmanager: 'Alertmanager' } as const;
const TABS = [
  { path: '/admin/automation', label: 'Incoming webhooks' },
  { path: '/admin/automation/feeds', label: 'Feeds' },
  { path: '/admin/automation/rules', label: 'Membership rules' },
];

function useGroups() {
  return useLoad((signal) => get<{ data: GroupOption[] }>('/admin/api/groups', signal).then((r) => r.data.filter((g) => !g.archived)), []);
}

function GroupSelect({ groups, name = 'group', label = 'Group' }: { groups: GroupOption[]; name?: string; label?: string }) {
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} name={name} required defaultValue="">
          <option value="" disabled>
            Choose a group
          </option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Incoming webhooks, feeds and membership rules: the admin panel's Automation section. */
export function AutomationScreen() {
  const { path } = useLocation();
  const tab = TABS.find((t) => t.path === path) ?? TABS[0];
  return (
    <>
      <h1 tabIndex={-1}>Automation</h1>
      <nav className="tabs row" aria-label="Automation">
        {TABS.map((t) => (
          <Link key={t.path} to={t.path} aria-current={t === tab ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {tab.path === '/admin/automation' ? <HooksPanel /> : tab.path === '/admin/automation/feeds' ? <FeedsPanel /> : <RulesPanel />}
    </>
  );
}

/** The URL (and GitHub secret) right after creating or rotating: shown once, with a copy button. */
function UrlOnce({ issued, onDone }: { issued: Issued; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const copy = async () => toast((await copyText(issued.url, field.current)) ? 'Webhook URL copied to the clipboard' : 'Copy failed: select the URL and copy it yourself');
  return (
    <section className="panel stack" aria-label="New webhook URL">
      <h2>Webhook URL</h2>
      <p>
        <strong>Copy this URL now.</strong> It is shown only this once: anyone who has it can post. Rotate it if it leaks.
      </p>
      <div className="row">
        <input ref={field} className="secret" type="text" readOnly value={issued.url} aria-label="Webhook URL" onFocus={(e) => e.currentTarget.select()} style={{ flex: 1, minWidth: 0 }} />
        <button type="button" className="primary" onClick={copy}>
          Copy URL
        </button>
      </div>
      {issued.signing_secret && (
        <p>
          GitHub secret (paste it as the webhook&apos;s secret): <code className="secret">{issued.signing_secret}</code>
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

function HooksPanel() {
  const hooks = useLoad((signal) => get<{ data: Hook[] }>('/admin/api/automation/hooks', signal), []);
  const groups = useGroups();
  const integrations = useLoad((signal) => get<{ data: IntegrationView[] }>('/admin/api/integrations', signal), []);
  const [issued, setIssued] = useState<Issued>();
  const [error, setError] = useState<unknown>();
  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(undefined);
    try {
      const result = await post<Issued>('/admin/api/automation/hooks', {
        target: form.get('group'),
        name: form.get('name') || undefined,
        source: form.get('source'),
        app_id: form.get('app_id') || undefined,
        allow_overrides: form.get('allow_overrides') === 'on',
        allow_broadcast: form.get('allow_broadcast') === 'on',
      });
      setIssued(result);
      hooks.reload();
      (event.target as HTMLFormElement).reset();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      {issued && <UrlOnce issued={issued} onDone={() => setIssued(undefined)} />}
      <section className="panel" aria-labelledby="hooks-title">
        <h2 id="hooks-title">Incoming webhooks</h2>
        <p className="muted">Paste a hook&apos;s URL into any tool that posts to a Slack incoming webhook, into GitHub&apos;s webhook settings, or into Alertmanager&apos;s webhook receiver.</p>
        {hooks.loading && !hooks.data ? (
          <Loading />
        ) : hooks.data?.data.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Format</th>
                  <th scope="col">Posts to</th>
                  <th scope="col">Status</th>
                  <th scope="col">Posts</th>
                  <th scope="col">Errors</th>
                  <th scope="col">Last used</th>
                </tr>
              </thead>
              <tbody>
                {hooks.data.data.map((h) => (
                  <tr key={h.id}>
                    <td>
                      <Link to={`/admin/automation/hooks/${h.id}`}>{h.name}</Link>
                    </td>
                    <td>{SOURCES[h.source]}</td>
                    <td>{h.target_name ?? h.target.id}</td>
                    <td>
                      <span className={`badge ${h.status === 'active' ? 'on' : 'off'}`}>{h.status === 'active' ? 'Active' : 'Revoked'}</span>
                    </td>
                    <td>{h.post_count}</td>
                    <td>{h.error_count}</td>
                    <td>
                      <Time value={h.last_used_time} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>No incoming webhooks yet.</p>
        )}
        <ErrorNote error={hooks.error} />
      </section>
      <section className="panel" aria-labelledby="new-hook-title">
        <h2 id="new-hook-title">New incoming webhook</h2>
        {groups.data ? (
          <form onSubmit={create} aria-label="New incoming webhook">
            <GroupSelect groups={groups.data} />
            <Field label="Name" hint="The name posts appear under; the integration's name when left empty.">
              {(id, hint) => <input id={id} name="name" aria-describedby={hint} maxLength={100} />}
            </Field>
            <Field label="Format">
              {(id) => (
                <select id={id} name="source" defaultValue="slack">
                  {Object.entries(SOURCES).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Post as integration">
              {(id) => (
                <select id={id} name="app_id" defaultValue="">
                  <option value="">No integration (the hook&apos;s own name)</option>
                  {(integrations.data?.data ?? []).map((i) => (
                    <option key={i.app_id} value={i.app_id}>
                      {i.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <label className="check">
              <input type="checkbox" name="allow_overrides" /> <span>Let payloads set the sender name and icon (username, icon_url)</span>
            </label>
            <label className="check">
              <input type="checkbox" name="allow_broadcast" /> <span>Let payloads mention everyone (&lt;!here&gt;, &lt;!channel&gt;, &lt;!everyone&gt;)</span>
            </label>
            <ErrorNote error={error} />
            <div className="actions">
              <button className="primary" type="submit">
                Create webhook
              </button>
            </div>
          </form>
        ) : (
          <Loading />
        )}
      </section>
    </>
  );
}

/** One hook: settings, test-send, recent requests with what they rendered, rotate and revoke. */
export function HookDetail({ id }: { id: string }) {
  const hooks = useLoad((signal) => get<{ data: Hook[] }>('/admin/api/automation/hooks', signal), [id]);
  const deliveries = useLoad((signal) => get<{ data: HookDelivery[] }>(`/admin/api/automation/hooks/${id}/deliveries`, signal), [id]);
  const [issued, setIssued] = useState<Issued>();
  const [error, setError] = useState<unknown>();
  const hook = hooks.data?.data.find((h) => h.id === id);
  if (hooks.loading && !hooks.data) return <Loading />;
  if (!hook) return <ErrorNote error={hooks.error ?? new Error('No such incoming webhook')} />;
  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
      hooks.reload();
      deliveries.reload();
    } catch (e) {
      setError(e);
    }
  };
  const testSend = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget).get('text') ?? '');
    void act(async () => {
      const result = await post<{ answer: string }>(`/admin/api/automation/hooks/${id}/test`, text ? { text } : {});
      toast(result.answer === 'ok' ? 'Test message posted' : `The hook answered ${result.answer}`);
    });
  };
  return (
    <>
      <p>
        <Link to="/admin/automation">← Incoming webhooks</Link>
      </p>
      <h1 tabIndex={-1}>{hook.name}</h1>
      {issued && <UrlOnce issued={issued} onDone={() => setIssued(undefined)} />}
      <section className="panel">
        <dl className="facts">
          <dt>Format</dt>
          <dd>{SOURCES[hook.source]}</dd>
          <dt>Posts to</dt>
          <dd>{hook.target_name ?? hook.target.id}</dd>
          <dt>Status</dt>
          <dd>
            <span className={`badge ${hook.status === 'active' ? 'on' : 'off'}`}>{hook.status === 'active' ? 'Active' : 'Revoked'}</span>
          </dd>
          <dt>URL key</dt>
          <dd>
            <code>{hook.key_hint}</code>
          </dd>
          <dt>Requests</dt>
          <dd>
            {hook.post_count} posted, {hook.error_count} refused, last <Time value={hook.last_used_time} />
          </dd>
          <dt>Limit</dt>
          <dd>{hook.rate_per_minute} requests a minute</dd>
        </dl>
        <ErrorNote error={error} />
        {hook.status === 'active' && (
          <div className="actions">
            <button type="button" onClick={() => act(async () => setIssued(await post<Issued>(`/admin/api/automation/hooks/${id}/rotate`)))}>
              Rotate URL
            </button>
            <button type="button" className="danger" onClick={() => act(async () => void (await del(`/admin/api/automation/hooks/${id}`)))}>
              Revoke
            </button>
          </div>
        )}
      </section>
      {hook.status === 'active' && hook.source === 'slack' && (
        <section className="panel">
          <h2>Test-send</h2>
          <form onSubmit={testSend} aria-label="Test-send" className="row">
            <input name="text" aria-label="Test message" placeholder="Test message from the admin panel: *it works*" style={{ flex: 1, minWidth: 0 }} />
            <button type="submit" className="primary">
              Send test
            </button>
          </form>
        </section>
      )}
      <section className="panel" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Recent requests</h2>
        {deliveries.data?.data.length ? (
          <ol className="stack" style={{ listStyle: 'none', padding: 0 }}>
            {deliveries.data.data.map((d) => (
              <li key={d.id} className="panel">
                <div className="row">
                  <span className={`badge ${d.status === 200 ? 'on' : 'off'}`}>
                    {d.status} {d.answer}
                  </span>
                  {d.event && <code>{d.event}</code>}
                  <Time value={d.time} />
                </div>
                {d.rendered && (
                  <div className="rendered">
                    <Message text={d.rendered} markdown />
                  </div>
                )}
                <details>
                  <summary>Request body{d.rendered ? ' and Markdown' : ''}</summary>
                  <pre>{d.request}</pre>
                  {d.rendered && <pre>{d.rendered}</pre>}
                </details>
              </li>
            ))}
          </ol>
        ) : (
          <p>No requests yet.</p>
        )}
      </section>
    </>
  );
}

function FeedsPanel() {
  const feeds = useLoad((signal) => get<{ data: Feed[] }>('/admin/api/automation/feeds', signal), []);
  const groups = useGroups();
  const [error, setError] = useState<unknown>();
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      feeds.reload();
    } catch (e) {
      setError(e);
    }
  };
  const add = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const target = event.currentTarget;
    void act(async () => {
      await post('/admin/api/automation/feeds', { group_id: form.get('group'), url: form.get('url'), name: form.get('name') || undefined, interval_minutes: Number(form.get('interval') || 15) });
      target.reset();
      toast('Feed added: the first poll is due now');
    });
  };
  const status = (f: Feed) =>
    f.status === 'paused' ? (
      <>
        <span className="badge off">Paused</span> <span className="muted">{f.paused_reason}</span>
      </>
    ) : f.status === 'failing' ? (
      <>
        <span className="badge off">Failing</span> <span className="muted">{f.last_error}</span>
      </>
    ) : (
      <span className="badge on">Active</span>
    );
  return (
    <>
      <section className="panel" aria-labelledby="feeds-title">
        <h2 id="feeds-title">Feeds</h2>
        {feeds.loading && !feeds.data ? (
          <Loading />
        ) : feeds.data?.data.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Feed</th>
                  <th scope="col">Group</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last item</th>
                  <th scope="col">Next poll</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {feeds.data.data.map((f) => (
                  <tr key={f.id}>
                    <td>
                      {f.title ?? f.url}
                      <div className="muted" style={{ overflowWrap: 'anywhere' }}>
                        {f.url}
                      </div>
                    </td>
                    <td>{f.group_name ?? f.group_id}</td>
                    <td>{status(f)}</td>
                    <td>{f.last_item ? <>{f.last_item.title} <Time value={f.last_item.time} /></> : <span className="muted">none yet</span>}</td>
                    <td>{f.next_poll_time ? <Time value={f.next_poll_time} /> : '—'}</td>
                    <td>
                      <div className="row">
                        {f.status === 'paused' ? (
                          <button type="button" onClick={() => act(() => patch(`/admin/api/automation/feeds/${f.id}`, { paused: false }))}>
                            Resume
                          </button>
                        ) : (
                          <button type="button" onClick={() => act(() => patch(`/admin/api/automation/feeds/${f.id}`, { paused: true }))}>
                            Pause
                          </button>
                        )}
                        <button type="button" className="danger" onClick={() => act(() => del(`/admin/api/automation/feeds/${f.id}`))}>
                          Remove
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>No feeds yet.</p>
        )}
        <ErrorNote error={feeds.error ?? error} />
      </section>
      <section className="panel" aria-labelledby="new-feed-title">
        <h2 id="new-feed-title">Follow a feed</h2>
        {groups.data ? (
          <form onSubmit={add} aria-label="Follow a feed">
            <GroupSelect groups={groups.data} />
            <Field label="Feed URL" hint="RSS or Atom. Private addresses only when allow-listed (COMMONPLACE_WEBHOOK_ALLOWED_HOSTS).">
              {(id, hint) => <input id={id} name="url" type="url" required aria-describedby={hint} />}
            </Field>
            <Field label="Name">{(id) => <input id={id} name="name" maxLength={100} />}</Field>
            <Field label="Poll every (minutes)">{(id) => <input id={id} name="interval" type="number" min={1} max={1440} defaultValue={15} />}</Field>
            <div className="actions">
              <button className="primary" type="submit">
                Follow feed
              </button>
            </div>
          </form>
        ) : (
          <Loading />
        )}
      </section>
    </>
  );
}

function PeopleList({ title, people }: { title: string; people: Person[] }) {
  return (
    <div>
      <h3>
        {title} ({people.length})
      </h3>
      {people.length ? (
        <ul>
          {people.slice(0, 50).map((p) => (
            <li key={p.id}>
              {p.name} <span className="muted">{[p.title, p.department].filter(Boolean).join(', ')}</span>
            </li>
          ))}
          {people.length > 50 && <li className="muted">… and {people.length - 50} more</li>}
        </ul>
      ) : (
        <p className="muted">Nobody.</p>
      )}
    </div>
  );
}

function RulesPanel() {
  const rules = useLoad((signal) => get<{ data: Rule[]; attributes: string[]; guard: { percent: number; minimum_group_size: number } }>('/admin/api/automation/rules', signal), []);
  const groups = useGroups();
  const [draft, setDraft] = useState<{ group: string; expression: string; keepManual: boolean }>({ group: '', expression: '', keepManual: true });
  const [preview, setPreview] = useState<Preview>();
  const [error, setError] = useState<unknown>();
  const edit = (changes: Partial<typeof draft>) => {
    setDraft({ ...draft, ...changes });
    setPreview(undefined);
  };
  const runPreview = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(undefined);
    try {
      setPreview(await post<Preview>('/admin/api/automation/rules/preview', { group_id: draft.group, expression: draft.expression, keep_manual: draft.keepManual }));
    } catch (e) {
      setError(e);
    }
  };
  const save = async (force: boolean) => {
    setError(undefined);
    try {
      const result = await call<{ joined: string[]; left: string[] }>('PUT', `/admin/api/automation/rules/${draft.group}`, { body: { expression: draft.expression, keep_manual: draft.keepManual, force } });
      toast(`Rule saved: ${result.joined.length} joined, ${result.left.length} left`);
      setPreview(undefined);
      rules.reload();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? new Error(`${e.message}`) : e);
    }
  };
  return (
    <>
      <section className="panel" aria-labelledby="rules-title">
        <h2 id="rules-title">Membership rules</h2>
        {rules.data?.data.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Manual members</th>
                  <th scope="col">Last applied</th>
                </tr>
              </thead>
              <tbody>
                {rules.data.data.map((r) => (
                  <tr key={r.group_id}>
                    <td>
                      <button type="button" className="link" onClick={() => edit({ group: r.group_id, expression: r.expression, keepManual: r.keep_manual })}>
                        {r.group_name ?? r.group_id}
                      </button>
                    </td>
                    <td>
                      <code>{r.expression}</code>
                    </td>
                    <td>{r.keep_manual ? 'kept' : 'removed when not matching'}</td>
                    <td>
                      <Time value={r.last_evaluated_time} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>No membership rules yet.</p>
        )}
      </section>
      <section className="panel" aria-labelledby="rule-editor-title">
        <h2 id="rule-editor-title">Rule editor</h2>
        {groups.data && rules.data ? (
          <form onSubmit={runPreview} aria-label="Rule editor">
            <Field label="Group">
              {(id) => (
                <select id={id} value={draft.group} required onChange={(e) => edit({ group: e.target.value })}>
                  <option value="" disabled>
                    Choose a group
                  </option>
                  {groups.data!.map((g) => (
                    <option key={g.id} value={g.id}>
                      {g.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              label="Rule"
              hint={
                <>
                  For example <code>department eq &quot;Sales&quot; and not (title co &quot;Contractor&quot;)</code>. Operators eq, ne, co, sw, ew, in, pr; and, or, not. Attributes: {rules.data.attributes.join(', ')}.
                </>
              }
            >
              {(id, hint) => <textarea id={id} rows={3} required value={draft.expression} aria-describedby={hint} onChange={(e) => edit({ expression: e.target.value })} />}
            </Field>
            <label className="check">
              <input type="checkbox" checked={draft.keepManual} onChange={(e) => edit({ keepManual: e.target.checked })} /> <span>Keep members added by hand even when they do not match</span>
            </label>
            <ErrorNote error={error} />
            <div className="actions">
              <button type="submit">Preview</button>
              <button type="button" className="primary" disabled={!preview || preview.guard.refused} onClick={() => save(false)}>
                Save rule
              </button>
            </div>
          </form>
        ) : (
          <Loading />
        )}
        {preview && (
          <section aria-label="Preview" className="stack">
            <p>
              {preview.matching === 1 ? '1 person matches' : `${preview.matching} people match`}; the group has {preview.group_size} {preview.group_size === 1 ? 'member' : 'members'}.
            </p>
            {preview.guard.refused && (
              <div className="error" role="alert">
                <p>
                  This rule would remove {preview.leaves.length} members at once; the guard allows {preview.guard.limit} ({rules.data?.guard.percent}% of groups of {rules.data?.guard.minimum_group_size} or more).
                </p>
                <button type="button" className="danger" onClick={() => save(true)}>
                  Save anyway
                </button>
              </div>
            )}
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <PeopleList title="Will join" people={preview.joins} />
              <PeopleList title="Will leave" people={preview.leaves} />
            </div>
          </section>
        )}
      </section>
    </>
  );
}
