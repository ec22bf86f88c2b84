import { type FormEvent, useState } from 'react';
import { del, get, patch, post, put, query } from '../shared/api';
import { Link, navigate } from '../shared/router';
import { copyText, Dialog, ErrorNote, Field, Loading, Time, toast, useLoad } from '../shared/ui';
import { AppForm, type AppFormValues } from './CreateApp';
import { pictureOf, scopeLabel } from './Integrations';
import { AuditTable } from './SecurityLog';
import { TokenOnce } from './TokenOnce';
import type { AuditEvent, Credentials, Delivery, GroupView, IntegrationView, Subscription } from './types';

export function IntegrationDetail({ id }: { id: string }) {
  const app = useLoad((signal) => get<IntegrationView>(`/admin/api/integrations/${id}`, signal), [id]);
  const groups = useLoad((signal) => get<{ data: GroupView[] }>('/admin/api/groups', signal), []);
  const [editing, setEditing] = useState(false);
  const [pictureVersion, setPictureVersion] = useState(0);
  const [rotated, setRotated] = useState<Credentials>();
  const [dialog, setDialog] = useState<'rotate' | 'delete' | 'secret' | null>(null);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);

  if (app.error) return <ErrorNote error={app.error} />;
  if (!app.data) return <Loading />;
  const a = app.data;
  const act = async (fn: () => Promise<unknown>, done?: string) => {
    setError(undefined);
    try {
      await fn();
      if (done) toast(done);
      app.reload();
      setTick((t) => t + 1);
    } catch (e) {
      setError(e);
    }
  };
  const save = async (values: AppFormValues) => {
    await patch(`/admin/api/integrations/${id}`, values);
    if (values.picture) setPictureVersion(Date.now());
    setEditing(false);
    toast('Integration saved');
    app.reload();
  };
  const groupNames = a.groups === 'all' ? [] : a.groups.map((g) => groups.data?.data.find((x) => x.id === g)?.name ?? g);

  return (
    <>
      <p>
        <Link to="/admin/integrations">← Integrations</Link>
      </p>
      <div className="spread">
        <div className="row">
          <img className="icon" src={pictureOf(id, pictureVersion)} alt={`${a.name} picture`} width={64} height={64} />
          <div>
            <h1 tabIndex={-1} style={{ marginBottom: 0 }}>
              {a.name}
            </h1>
            <span className={`badge ${a.enabled ? 'on' : 'off'}`}>{a.enabled ? 'Enabled' : 'Disabled'}</span>
          </div>
        </div>
        <div className="row">
          <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
            Edit
          </button>
          <button type="button" onClick={() => act(() => post(`/admin/api/integrations/${id}/${a.enabled ? 'disable' : 'enable'}`), a.enabled ? 'Integration disabled' : 'Integration enabled')}>
            {a.enabled ? 'Disable' : 'Enable'}
          </button>
          <button type="button" onClick={() => setDialog('rotate')}>
            Rotate token
          </button>
          <button type="button" className="danger" onClick={() => setDialog('delete')}>
            Delete
          </button>
        </div>
      </div>
      <ErrorNote error={error} />
      {rotated && (
        <TokenOnce
          token={rotated.access_token}
          appName={a.name}
          onDone={() => {
            setRotated(undefined);
            toast('The old token no longer works');
          }}
        />
      )}
      {editing && <AppForm initial={a} currentPicture={pictureOf(id, pictureVersion)} submitLabel="Save changes" onSubmit={save} onCancel={() => setEditing(false)} />}

      <div className="grid2">
        <section className="panel" aria-labelledby="creds">
          <h2 id="creds">Credentials</h2>
          <dl className="stack">
            <div>
              <dt className="label">App ID</dt>
              <dd className="secret">{a.app_id}</dd>
            </div>
            <div>
              <dt className="label">Bot page ID</dt>
              <dd className="secret">{a.page_id}</dd>
            </div>
            <div>
              <dt className="label">Access token</dt>
              <dd>
                <span className="secret">{a.token_hint}</span> · issued <Time value={a.token_created_time} />
              </dd>
            </div>
            <div>
              <dt className="label">App secret</dt>
              <dd>
                <button type="button" onClick={() => setDialog('secret')}>
                  Reveal app secret
                </button>
              </dd>
            </div>
          </dl>
          <label className="check">
            <input
              type="checkbox"
              checked={a.require_appsecret_proof}
              onChange={(e) => act(() => patch(`/admin/api/integrations/${id}`, { require_appsecret_proof: e.target.checked }), e.target.checked ? 'appsecret_proof is now required' : 'appsecret_proof is no longer required')}
            />
            <span>
              Require appsecret_proof<span className="hint">Calls without an HMAC of the token made with the app secret are refused.</span>
            </span>
          </label>
        </section>
        <section className="panel" aria-labelledby="about">
          <h2 id="about">About</h2>
          {a.description ? <p>{a.description}</p> : <p className="muted">No description.</p>}
          <h3>Permissions</h3>
          <div className="chips">
            {a.permissions.length ? a.permissions.map((p) => <span className="chip" key={p}>{p}</span>) : <span className="muted">None</span>}
          </div>
          <h3>Scope</h3>
          <p>
            {scopeLabel(a.groups)}
            {groupNames.length > 0 && `: ${groupNames.join(', ')}`}
          </p>
          <p className="muted">
            Created <Time value={a.created_time} />
          </p>
        </section>
      </div>

      <Activity id={id} app={a} key={`a${tick}`} />
      <Webhooks id={id} />
      <LinkPreviewSettings id={id} permissions={a.permissions} key={`l${tick}`} />
      <section className="panel" aria-labelledby="audit">
        <h2 id="audit">Audit events</h2>
        <IntegrationAudit id={id} key={`e${tick}`} />
      </section>

      <RotateDialog open={dialog === 'rotate'} name={a.name} onClose={() => setDialog(null)} onRotated={(c) => { setRotated(c); setDialog(null); app.reload(); setTick((t) => t + 1); }} id={id} />
      <DeleteDialog open={dialog === 'delete'} name={a.name} id={id} onClose={() => setDialog(null)} />
      <SecretDialog open={dialog === 'secret'} id={id} onClose={() => { setDialog(null); setTick((t) => t + 1); }} />
    </>
  );
}

function RotateDialog({ open, id, name, onClose, onRotated }: { open: boolean; id: string; name: string; onClose: () => void; onRotated: (c: Credentials) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onRotated(await post<Credentials>(`/admin/api/integrations/${id}/rotate`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title="Rotate the access token?" onClose={onClose}>
      <p>
        {name} gets a new token now, and <strong>the current token stops working at once</strong>. Update the integration's configuration with the new token.
      </p>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger solid" onClick={rotate} disabled={busy}>
          Rotate token
        </button>
      </div>
    </Dialog>
  );
}

function DeleteDialog({ open, id, name, onClose }: { open: boolean; id: string; name: string; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>();
  const remove = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await del(`/admin/api/integrations/${id}`);
      toast(`${name} was deleted`);
      navigate('/admin/integrations', true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Dialog open={open} title={`Delete ${name}?`} onClose={onClose}>
      <form onSubmit={remove}>
        <p>This deletes the app, its token and its bot page with everything the bot posted. It cannot be undone.</p>
        <Field label={`Type the name (${name}) to confirm`}>{(fid) => <input id={fid} type="text" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoFocus />}</Field>
        <ErrorNote error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="danger solid" disabled={typed !== name}>
            Delete integration
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function SecretDialog({ open, id, onClose }: { open: boolean; id: string; onClose: () => void }) {
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<unknown>();
  const close = () => {
    setSecret(undefined);
    setError(undefined);
    onClose();
  };
  const reveal = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(undefined);
    try {
      const result = await post<{ app_secret: string }>(`/admin/api/integrations/${id}/secret`, { password: new FormData(event.currentTarget).get('password') });
      setSecret(result.app_secret);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Dialog open={open} title="App secret" onClose={close}>
      {secret ? (
        <>
          <p>Keep the app secret on servers only. Revealing it was recorded in the audit log.</p>
          <div className="row">
            <input className="secret" readOnly value={secret} aria-label="App secret" style={{ flex: 1 }} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={() => copyText(secret).then((ok) => toast(ok ? 'App secret copied' : 'Copy failed'))}>
              Copy
            </button>
          </div>
          <div className="actions">
            <button type="button" className="primary" onClick={close}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={reveal}>
          <p>Re-enter your password to see the app secret.</p>
          <Field label="Your password">{(fid) => <input id={fid} name="password" type="password" autoComplete="current-password" required autoFocus />}</Field>
          <ErrorNote error={error} />
          <div className="actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Reveal
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

interface ActivityView {
  last_request_time: string | null;
  requests_30d: { day: string; requests: number }[];
  recent_writes: AuditEvent[];
}

function Activity({ id, app }: { id: string; app: IntegrationView }) {
  const { data, error } = useLoad((signal) => get<ActivityView>(`/admin/api/integrations/${id}/activity`, signal), [id]);
  const max = Math.max(1, ...(data?.requests_30d.map((d) => d.requests) ?? [1]));
  return (
    <section className="panel" aria-labelledby="activity">
      <h2 id="activity">Recent API activity</h2>
      <ErrorNote error={error} />
      <p>
        Last request <Time value={app.last_request_time} /> · {app.requests_7d_total.toLocaleString()} requests in the last 7 days
      </p>
      {data && (
        <>
          <div className="bars" role="img" aria-label={`Requests per day over 30 days: ${data.requests_30d.map((d) => d.requests).join(', ')}`}>
            {data.requests_30d.map((d) => (
              <span key={d.day} title={`${d.day}: ${d.requests}`} style={{ height: `${Math.round((d.requests / max) * 100)}%` }} />
            ))}
          </div>
          <h3>Changes made through the API</h3>
          {data.recent_writes.length ? <AuditTable events={data.recent_writes} /> : <p className="muted">None yet.</p>}
        </>
      )}
    </section>
  );
}

function IntegrationAudit({ id }: { id: string }) {
  const { data, error } = useLoad((signal) => get<{ data: AuditEvent[] }>(`/admin/api/security-log${query({ target: id, limit: 50 })}`, signal), [id]);
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading />;
  return data.data.length ? <AuditTable events={data.data} /> : <p className="muted">No events.</p>;
}

const TOPICS: Record<string, string[]> = {
  page: ['mention', 'messages', 'message_echoes', 'message_deliveries', 'message_reads', 'messaging_postbacks'],
  group: ['posts', 'comments', 'membership', 'reported_content', 'poll_votes'],
  user: ['status', 'events'],
  workplace_security: ['admin_activity', 'login_activity'],
  link: ['preview'],
};

function Webhooks({ id }: { id: string }) {
  const subs = useLoad((signal) => get<{ data: Subscription[]; deliveries?: Record<string, number> }>(`/admin/api/integrations/${id}/subscriptions`, signal), [id]);
  const [stateFilter, setStateFilter] = useState('');
  const deliveries = useLoad((signal) => get<{ data: Delivery[] }>(`/admin/api/integrations/${id}/deliveries${query({ state: stateFilter, limit: 50 })}`, signal), [id, stateFilter]);
  const [topic, setTopic] = useState('page');
  const [fields, setFields] = useState<Set<string>>(new Set(['messages', 'messaging_postbacks']));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await post(`/admin/api/integrations/${id}/subscriptions`, { object: topic, fields: [...fields], callback_url: form.get('callback_url'), verify_token: form.get('verify_token') });
      toast(`Subscribed to ${topic}: the callback answered the verification`);
      subs.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (object: string) => {
    try {
      await del(`/admin/api/integrations/${id}/subscriptions/${object}`);
      toast(`Unsubscribed from ${object}`);
      subs.reload();
    } catch (e) {
      setError(e);
    }
  };
  const redeliver = async (delivery?: string) => {
    try {
      if (delivery) await post(`/admin/api/integrations/${id}/deliveries/${delivery}/redeliver`);
      else await post(`/admin/api/integrations/${id}/redeliver_failed`);
      toast(delivery ? 'Queued for redelivery' : 'Failed deliveries queued again');
      deliveries.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="panel" aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      <ErrorNote error={subs.error} />
      {subs.data && subs.data.data.length === 0 && <p className="muted">No webhook subscriptions.</p>}
      {subs.data && subs.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Fields</th>
                <th scope="col">Callback URL</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {subs.data.data.map((s) => (
                <tr key={s.id}>
                  <td>{s.object}</td>
                  <td>
                    <div className="chips">
                      {s.fields.map((f) => (
                        <span className="chip" key={f}>
                          {f}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td className="secret">{s.callback_url}</td>
                  <td>
                    <span className={`badge ${s.status === 'healthy' ? 'on' : 'off'}`} title={s.status_reason ?? `Verified ${s.verified_time ?? ''}`}>
                      {s.status}
                    </span>
                  </td>
                  <td>
                    <button type="button" className="link" onClick={() => remove(s.object)} aria-label={`Remove the ${s.object} subscription`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <details>
        <summary>Add or replace a subscription</summary>
        <form onSubmit={save} className="stack" style={{ marginTop: '0.75rem' }}>
          <Field label="Topic">
            {(fid) => (
              <select
                id={fid}
                value={topic}
                onChange={(e) => {
                  setTopic(e.target.value);
                  setFields(new Set(TOPICS[e.target.value].slice(0, 1)));
                }}
              >
                {Object.keys(TOPICS).map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            )}
          </Field>
          <fieldset>
            <legend>Fields</legend>
            {TOPICS[topic].map((f) => (
              <label className="check" key={f}>
                <input
                  type="checkbox"
                  checked={fields.has(f)}
                  onChange={(e) => {
                    const next = new Set(fields);
                    if (e.target.checked) next.add(f);
                    else next.delete(f);
                    setFields(next);
                  }}
                />
                <span>{f}</span>
              </label>
            ))}
          </fieldset>
          <Field label="Callback URL" hint="Commonplace sends a GET with hub.challenge first; the subscription is saved only when the callback echoes it.">
            {(fid, hint) => <input id={fid} name="callback_url" type="url" required aria-describedby={hint} placeholder="https://bots.example.com/webhook" />}
          </Field>
          <Field label="Verify token">{(fid) => <input id={fid} name="verify_token" type="text" required autoComplete="off" />}</Field>
          <ErrorNote error={error} />
          <button type="submit" className="primary" disabled={busy || fields.size === 0}>
            {busy ? 'Verifying…' : 'Verify and save'}
          </button>
        </form>
      </details>

      <div className="spread" style={{ marginTop: '1rem' }}>
        <h3>Delivery log</h3>
        <div className="row">
          <label>
            <span className="visually-hidden">Show deliveries</span>
            <select value={stateFilter} onChange={(e) => setStateFilter(e.target.value)} aria-label="Show deliveries">
              <option value="">All deliveries</option>
              <option value="pending">Pending</option>
              <option value="delivered">Delivered</option>
              <option value="failed">Failed</option>
            </select>
          </label>
          <button type="button" onClick={() => redeliver()}>
            Redeliver failed
          </button>
          <button type="button" onClick={() => deliveries.reload()}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorNote error={deliveries.error} />
      {deliveries.data && deliveries.data.data.length === 0 && <p className="muted">No deliveries.</p>}
      {deliveries.data && deliveries.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last status</th>
                <th scope="col">When</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.data.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.object}/{d.field}
                  </td>
                  <td>
                    <span className={`badge ${d.state === 'delivered' ? 'on' : d.state === 'pending' ? 'neutral' : 'off'}`}>{d.state}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td title={d.last_error ?? ''}>{d.last_status ?? d.last_error ?? '—'}</td>
                  <td>
                    <Time value={d.last_attempt_time ?? d.created_time} />
                  </td>
                  <td>
                    <button type="button" className="link" onClick={() => redeliver(d.id)} aria-label={`Redeliver ${d.object} ${d.field} event ${d.event_id}`}>
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface PreviewLogEntry {
  id: string;
  object_type: 'post' | 'comment' | 'message';
  url: string;
  state: 'pending' | 'running' | 'ready' | 'declined' | 'failed';
  title: string | null;
  error: string | null;
  status_code: number | null;
  latency_ms: number | null;
  created_time: string;
}

const PREVIEW_BADGE: Record<PreviewLogEntry['state'], string> = { ready: 'on', failed: 'off', declined: 'neutral', pending: 'neutral', running: 'neutral' };

/** Authenticated link previews: the domains this integration unfurls, and what it answered lately. */
function LinkPreviewSettings({ id, permissions }: { id: string; permissions: string[] }) {
  const data = useLoad((signal) => get<{ domains: string[]; recent: PreviewLogEntry[] }>(`/admin/api/integrations/${id}/link_previews`, signal), [id]);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const text = draft ?? data.data?.domains.join('\n') ?? '';
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const domains = text.split(/[\s,]+/).map((d) => d.trim()).filter(Boolean);
      const saved = await put<{ domains: string[] }>(`/admin/api/integrations/${id}/link_domains`, { domains });
      toast(saved.domains.length ? `Unfurls ${saved.domains.length} domain${saved.domains.length === 1 ? '' : 's'}` : 'No domains: link previews are off');
      setDraft(null);
      data.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="link-previews">
      <h2 id="link-previews">Link previews</h2>
      <p className="muted">
        When a member shares a URL of one of these domains (or their subdomains) in a post, comment or chat message, Commonplace asks this integration for a preview through its{' '}
        <code>link</code> / <code>preview</code> webhook.
      </p>
      {!permissions.includes('link_unfurling') && <p className="error" role="note">This integration does not hold the Link unfurling permission: it is never asked until an admin grants it.</p>}
      <ErrorNote error={data.error} />
      {data.data && (
        <form onSubmit={save} className="stack">
          <Field label="Domains" hint="One per line, like docs.example.com. A domain covers its subdomains.">
            {(fid, hint) => <textarea id={fid} rows={4} value={text} aria-describedby={hint} onChange={(e) => setDraft(e.target.value)} placeholder="docs.example.com" />}
          </Field>
          <ErrorNote error={error} />
          <div>
            <button type="submit" className="primary" disabled={busy || draft === null}>
              {busy ? 'Saving…' : 'Save domains'}
            </button>
          </div>
        </form>
      )}
      <h3>Recent previews</h3>
      {data.data && data.data.recent.length === 0 && <p className="muted">No previews asked for yet.</p>}
      {data.data && data.data.recent.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Shared in</th>
                <th scope="col">URL</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {data.data.recent.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Time value={r.created_time} />
                  </td>
                  <td>{r.object_type}</td>
                  <td className="secret">{r.url}</td>
                  <td>
                    <span className={`badge ${PREVIEW_BADGE[r.state]}`}>{r.state}</span> {r.state === 'ready' ? r.title : r.error}
                    {r.latency_ms !== null && <span className="muted"> · {r.latency_ms} ms</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
