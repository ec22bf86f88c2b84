import { type FormEvent, useEffect, useState } from 'react';
import { del, get, post, put } from '../shared/api';
import { Dialog, ErrorNote, Field, Loading, Time, toast, useLoad } from '../shared/ui';
import { BadgeIcon, badgeGlyph } from '../shared/badgeIcons';
import { PersonPicker } from './PersonPicker';
import type { Person } from './types';

interface BadgeRow {
  id: string;
  name: string;
  description: string;
  icon: string;
  category: string;
  custom: boolean;
  holders: number;
}

interface ExportJob {
  id: string;
  status: 'PENDING' | 'STARTED' | 'COMPLETED' | 'FAILED';
  progress: { done: number; total: number };
  error: string | null;
  download_url: string | null;
  created_time: string;
  finished_time: string | null;
}


function Badges() {
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>();
  const [awardTo, setAwardTo] = useState<Person | null>(null);
  const [retiring, setRetiring] = useState<BadgeRow | null>(null);
  const list = useLoad((signal) => get<{ data: BadgeRow[]; icons: string[]; categories: string[] }>('/admin/api/badges', signal), [version]);
  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(undefined);
    try {
      await post('/admin/api/badges', { name: form.get('name'), description: form.get('description'), icon: form.get('icon'), category: form.get('category') });
      formElement.reset();
      toast('Badge created');
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e);
    }
  };
  const retire = async (badge: BadgeRow) => {
    setRetiring(null);
    await del(`/admin/api/badges/${encodeURIComponent(badge.id.replace('workplace_custom#', ''))}`).then(() => {
      toast(`${badge.name} retired`);
      setVersion((v) => v + 1);
    }, setError);
  };
  const award = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!awardTo) return;
    const badge = new FormData(event.currentTarget).get('badge');
    setError(undefined);
    try {
      const result = await post<{ awarded: boolean }>(`/admin/api/people/${awardTo.id}/badges`, { badge });
      toast(result.awarded ? `Badge awarded to ${awardTo.name}` : `${awardTo.name} already holds that badge`);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e);
    }
  };
  if (list.error) return <ErrorNote error={list.error} />;
  if (!list.data) return <Loading />;
  const { data, icons, categories } = list.data;
  return (
    <section className="panel" aria-labelledby="badges-title">
      <h2 id="badges-title">Badges</h2>
      <p className="muted">Built-in badges and your own. Integrations with the Manage badges permission award them as <code>badge=</code> with the id below.</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Badge</th>
              <th scope="col">Id</th>
              <th scope="col">Category</th>
              <th scope="col">Holders</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.map((b) => (
              <tr key={b.id}>
                <td>
                  <BadgeIcon icon={b.icon} /> <strong>{b.name}</strong>
                  <div className="muted">{b.description}</div>
                </td>
                <td>
                  <code>{b.id}</code>
                </td>
                <td>{b.category}</td>
                <td>{b.holders}</td>
                <td>
                  {b.custom && (
                    <button type="button" onClick={() => setRetiring(b)} aria-label={`Retire ${b.name}`}>
                      Retire
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Dialog open={retiring !== null} title="Retire a badge" onClose={() => setRetiring(null)}>
        {retiring && (
          <>
            <p>
              Retire <strong>{retiring.name}</strong>? It leaves the catalogue and the {retiring.holders} profile(s) that hold it.
            </p>
            <div className="actions">
              <button type="button" onClick={() => setRetiring(null)}>
                Cancel
              </button>
              <button type="button" className="danger" onClick={() => retire(retiring)}>
                Retire
              </button>
            </div>
          </>
        )}
      </Dialog>
      <ErrorNote error={error} />
      <div className="grid2">
        <form onSubmit={create} aria-label="New badge">
          <h3>New badge</h3>
          <Field label="Name">{(id) => <input id={id} name="name" required maxLength={80} />}</Field>
          <Field label="Description">{(id) => <input id={id} name="description" maxLength={500} />}</Field>
          <Field label="Icon">
            {(id) => (
              <select id={id} name="icon" defaultValue="star">
                {icons.map((i) => (
                  <option key={i} value={i}>
                    {badgeGlyph(i)} {i}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Category">
            {(id) => (
              <select id={id} name="category" defaultValue="CUSTOM">
                {categories.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            )}
          </Field>
          <button className="primary" type="submit">
            Create badge
          </button>
        </form>
        <form onSubmit={award} aria-label="Award a badge">
          <h3>Award a badge</h3>
          {awardTo ? (
            <p>
              To <strong>{awardTo.name}</strong>{' '}
              <button type="button" onClick={() => setAwardTo(null)}>
                Change
              </button>
            </p>
          ) : (
            <PersonPicker label="Person" onPick={setAwardTo} />
          )}
          <Field label="Badge">
            {(id) => (
              <select id={id} name="badge">
                {data.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button className="primary" type="submit" disabled={!awardTo}>
            Award
          </button>
        </form>
      </div>
    </section>
  );
}

function Exports() {
  const [jobs, setJobs] = useState<ExportJob[] | undefined>();
  const [error, setError] = useState<unknown>();
  const refresh = () => get<{ data: ExportJob[] }>('/admin/api/exports').then((r) => setJobs(r.data), setError);
  const running = jobs?.some((j) => j.status === 'PENDING' || j.status === 'STARTED');
  useEffect(() => {
    void refresh();
  }, []);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [running]);
  const start = async () => {
    setError(undefined);
    await post('/admin/api/exports').then(refresh, setError);
  };
  return (
    <section className="panel" aria-labelledby="exports-title">
      <h2 id="exports-title">Employee data export</h2>
      <p className="muted">A spreadsheet (XLSX) of every current member: profile fields, account status and activity. It is prepared in the background; links stay valid for an hour.</p>
      <button className="primary" type="button" onClick={start} disabled={running}>
        {running ? 'Export running…' : 'Export employee data'}
      </button>
      <ErrorNote error={error} />
      {jobs === undefined ? (
        <Loading />
      ) : (
        <ul className="stack" aria-label="Exports">
          {jobs.map((j) => {
            const percent = j.progress.total ? Math.round((100 * j.progress.done) / j.progress.total) : j.status === 'COMPLETED' ? 100 : 0;
            return (
              <li key={j.id}>
                <Time value={j.created_time} /> — <strong>{j.status.toLowerCase()}</strong>{' '}
                {(j.status === 'STARTED' || j.status === 'PENDING') && (
                  <progress max={100} value={percent} aria-label={`Export ${j.id} progress`}>
                    {percent}%
                  </progress>
                )}
                {j.status === 'STARTED' && (
                  <span className="muted">
                    {' '}
                    {j.progress.done} of {j.progress.total} people
                  </span>
                )}
                {j.download_url && (
                  <>
                    {' '}
                    <a href={j.download_url} download>
                      Download ({j.progress.done} people)
                    </a>
                  </>
                )}
                {j.error && <span className="error"> {j.error}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

interface Report {
  id: string;
  object_type: 'post' | 'comment';
  post_id: string;
  group: { id: string; name: string | null };
  author: { id: string; name: string | null };
  reporter: { id: string; type: 'member' | 'integration'; name: string | null };
  excerpt: string;
  reason: string;
  status: 'OPEN' | 'RESOLVED';
  resolution: 'KEEP' | 'REMOVE' | 'WARN' | null;
  resolution_note: string | null;
  created_time: string;
}

const RESOLUTION_LABELS = { KEEP: 'Keep', REMOVE: 'Remove', WARN: 'Warn the author' } as const;

function Reports() {
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [version, setVersion] = useState(0);
  const [acting, setActing] = useState<{ report: Report; resolution: keyof typeof RESOLUTION_LABELS } | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const list = useLoad((signal) => get<{ data: Report[] }>(`/admin/api/reports?status=${status}`, signal), [status, version]);
  const resolve = async () => {
    if (!acting) return;
    setError(undefined);
    try {
      await post(`/admin/api/reports/${acting.report.id}/resolve`, { resolution: acting.resolution, note: note || undefined });
      toast(`Report resolved: ${RESOLUTION_LABELS[acting.resolution].toLowerCase()}`);
      setActing(null);
      setNote('');
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="panel" aria-labelledby="reports-title">
      <div className="spread">
        <h2 id="reports-title">Reported content</h2>
        <label>
          <span className="visually-hidden">Show</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'resolved')} aria-label="Show reports">
            <option value="open">Waiting for review</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
      </div>
      <ErrorNote error={list.error ?? error} />
      {!list.data ? (
        <Loading />
      ) : list.data.data.length === 0 ? (
        <p className="muted">{status === 'open' ? 'Nothing is waiting for review.' : 'No resolved reports yet.'}</p>
      ) : (
        <ul className="stack" aria-label="Reports" style={{ listStyle: 'none', padding: 0 }}>
          {list.data.data.map((r) => (
            <li key={r.id} className="panel">
              <div>
                A {r.object_type} by <strong>{r.author.name ?? r.author.id}</strong> in <strong>{r.group.name ?? r.group.id}</strong>, reported by {r.reporter.name ?? (r.reporter.type === 'integration' ? 'an integration' : r.reporter.id)} <Time value={r.created_time} />
              </div>
              <blockquote>{r.excerpt || <span className="muted">(no text)</span>}</blockquote>
              {r.reason && <p>Reason: {r.reason}</p>}
              {r.status === 'OPEN' ? (
                <div className="actions">
                  {(Object.keys(RESOLUTION_LABELS) as (keyof typeof RESOLUTION_LABELS)[]).map((k) => (
                    <button key={k} type="button" className={k === 'REMOVE' ? 'danger' : ''} onClick={() => setActing({ report: r, resolution: k })}>
                      {RESOLUTION_LABELS[k]}
                    </button>
                  ))}
                </div>
              ) : (
                <p className="muted">
                  Resolved: {r.resolution && RESOLUTION_LABELS[r.resolution]}
                  {r.resolution_note && <> — “{r.resolution_note}”</>}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      <Dialog open={acting !== null} title="Resolve a report" onClose={() => setActing(null)}>
        {acting && (
          <>
            <p>
              {acting.resolution === 'KEEP' && 'Keep the content and close the report.'}
              {acting.resolution === 'REMOVE' && `Delete this ${acting.report.object_type} and close the report.`}
              {acting.resolution === 'WARN' && 'Keep the content, close the report and show the author your note.'}
            </p>
            <Field label={acting.resolution === 'WARN' ? 'Note to the author' : 'Note (optional)'}>{(id) => <textarea id={id} value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} />}</Field>
            <div className="actions">
              <button type="button" onClick={() => setActing(null)}>
                Cancel
              </button>
              <button type="button" className={acting.resolution === 'REMOVE' ? 'danger' : 'primary'} onClick={resolve}>
                {RESOLUTION_LABELS[acting.resolution]}
              </button>
            </div>
          </>
        )}
      </Dialog>
    </section>
  );
}

interface KnowledgeEditor {
  id: string;
  name: string;
  email: string | null;
  title: string | null;
  active: boolean;
}

/** Knowledge Library editors: members who create and edit library pages without being system admins. */
function KnowledgeEditors() {
  const editors = useLoad((signal) => get<{ data: KnowledgeEditor[] }>('/admin/api/knowledge/editors', signal), []);
  const [error, setError] = useState<unknown>();
  const change = async (person: { id: string; name: string }, grant: boolean) => {
    setError(undefined);
    try {
      if (grant) await put(`/admin/api/knowledge/editors/${person.id}`, {});
      else await del(`/admin/api/knowledge/editors/${person.id}`);
      toast(grant ? `${person.name} can now edit the Knowledge Library` : `${person.name} no longer edits the Knowledge Library`);
      editors.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="panel" aria-labelledby="knowledge-editors">
      <h2 id="knowledge-editors">Knowledge Library editors</h2>
      <p className="muted">System admins always edit the library. Editors create, edit, move and delete categories and quick links in the member app.</p>
      <ErrorNote error={editors.error ?? error} />
      {!editors.data ? (
        <Loading />
      ) : editors.data.data.length === 0 ? (
        <p className="muted">No editors besides the system admins.</p>
      ) : (
        <ul className="plain" aria-label="Editors">
          {editors.data.data.map((e) => (
            <li key={e.id} className="spread">
              <span>
                <strong>{e.name}</strong> {e.title && <span className="muted">{e.title}</span>} {!e.active && <span className="badge off">deactivated</span>}
              </span>
              <button type="button" className="link" onClick={() => change(e, false)} aria-label={`Remove ${e.name} as editor`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <PersonPicker label="Add an editor" exclude={editors.data?.data.map((e) => e.id) ?? []} onPick={(p) => change(p, true)} />
    </section>
  );
}

export function CommunityScreen() {
  return (
    <>
      <h1 tabIndex={-1}>Community</h1>
      <Reports />
      <Badges />
      <KnowledgeEditors />
      <Exports />
    </>
  );
}
