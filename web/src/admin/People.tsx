import { type FormEvent, useState } from 'react';
import { del, get, patch, post, query, sendWithProgress } from '../shared/api';
import { PictureEditor } from '../shared/PictureEditor';
import { Link, navigate } from '../shared/router';
import { Avatar, copyText, Dialog, ErrorNote, Field, Loading, Time, toast, useLoad } from '../shared/ui';
import { PersonPicker } from './PersonPicker';
import type { Person, PersonDetail } from './types';

const STATE_LABEL: Record<Person['state'], string> = { provisioned: 'Not invited', invited: 'Invited', claimed: 'Active', deactivated: 'Deactivated' };

export function StateBadge({ state }: { state: Person['state'] }) {
  return <span className={`badge ${state === 'claimed' ? 'on' : state === 'deactivated' ? 'off' : 'neutral'}`}>{STATE_LABEL[state]}</span>;
}

export function PeopleScreen() {
  const [q, setQ] = useState('');
  const [state, setState] = useState('all');
  const [offset, setOffset] = useState(0);
  const [inviting, setInviting] = useState(false);
  const { data, error, loading } = useLoad(
    (signal) => get<{ data: Person[]; total: number; limit: number }>(`/admin/api/people${query({ q, state, offset, limit: 50 })}`, signal),
    [q, state, offset],
  );
  return (
    <>
      <div className="spread">
        <h1 tabIndex={-1}>People</h1>
        <button type="button" className="primary" onClick={() => setInviting(true)}>
          Invite person
        </button>
      </div>
      <div className="panel row" role="search">
        <label style={{ flex: 2, minWidth: 200 }}>
          <span className="label">Search</span>
          <input
            type="search"
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              setOffset(0);
            }}
            placeholder="Name, email, title or department"
          />
        </label>
        <label style={{ flex: 1, minWidth: 160 }}>
          <span className="label">Show</span>
          <select
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setOffset(0);
            }}
          >
            <option value="all">Everyone</option>
            <option value="active">Not deactivated</option>
            <option value="invited">Invited</option>
            <option value="provisioned">Not invited</option>
            <option value="claimed">Active (claimed)</option>
            <option value="deactivated">Deactivated</option>
            <option value="admins">System admins</option>
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && (
        <div className="panel table-wrap">
          <table>
            <caption className="visually-hidden">People ({data.total})</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="hide-phone">
                  Email
                </th>
                <th scope="col" className="hide-phone">
                  Title
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <div className="row">
                      <Avatar src={p.picture_url} name="" size={32} />
                      <Link to={`/admin/people/${p.id}`}>{p.name}</Link>
                      {p.is_admin && <span className="badge neutral">Admin</span>}
                    </div>
                  </td>
                  <td className="hide-phone">{p.email}</td>
                  <td className="hide-phone">{[p.title, p.department].filter(Boolean).join(' · ')}</td>
                  <td>
                    <StateBadge state={p.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="spread" style={{ marginTop: '0.5rem' }}>
            <span className="muted">
              {data.total === 0 ? 'Nobody matches.' : `${offset + 1}–${offset + data.data.length} of ${data.total}`}
            </span>
            <div className="row">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - 50))}>
                Previous
              </button>
              <button type="button" disabled={offset + data.data.length >= data.total} onClick={() => setOffset(offset + 50)}>
                Next
              </button>
            </div>
          </div>
        </div>
      )}
      <InviteDialog open={inviting} onClose={() => setInviting(false)} />
    </>
  );
}

function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      const person = await post<PersonDetail>('/admin/api/people', { name: form.get('name'), email: form.get('email'), title: form.get('title') || undefined, department: form.get('department') || undefined, invite: true });
      toast(`${person.name} was invited`);
      onClose();
      navigate(`/admin/people/${person.id}`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Dialog open={open} title="Invite a person" onClose={onClose}>
      <form onSubmit={submit}>
        <Field label="Full name">{(id) => <input id={id} name="name" type="text" required autoFocus />}</Field>
        <Field label="Email">{(id) => <input id={id} name="email" type="email" required />}</Field>
        <Field label="Title">{(id) => <input id={id} name="title" type="text" />}</Field>
        <Field label="Department">{(id) => <input id={id} name="department" type="text" />}</Field>
        <p className="hint">They get a claim link by mail (see `commonplace mail list`); the link and access code also show on their page here.</p>
        <ErrorNote error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Invite
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const FIELDS: [keyof Person, string][] = [
  ['name', 'Full name'],
  ['email', 'Email'],
  ['title', 'Title'],
  ['department', 'Department'],
  ['division', 'Division'],
  ['organization', 'Organization'],
  ['employee_number', 'Employee number'],
  ['cost_center', 'Cost center'],
  ['primary_phone', 'Phone'],
  ['primary_address', 'Address'],
  ['locale', 'Locale'],
];

export function PersonScreen({ id }: { id: string }) {
  const person = useLoad((signal) => get<PersonDetail>(`/admin/api/people/${id}`, signal), [id]);
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<null | 'deactivate' | 'admin'>(null);
  if (person.error) return <ErrorNote error={person.error} />;
  if (!person.data) return <Loading />;
  const p = person.data;
  const run = async (fn: () => Promise<PersonDetail>, message: string) => {
    setError(undefined);
    try {
      person.setData(await fn());
      toast(message);
    } catch (e) {
      setError(e);
    }
  };
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = Object.fromEntries(FIELDS.map(([k]) => [k, String(form.get(k) ?? '')]));
    return run(() => patch<PersonDetail>(`/admin/api/people/${id}`, body), 'Profile saved');
  };
  return (
    <>
      <p>
        <Link to="/admin/people">← People</Link>
      </p>
      <div className="spread">
        <div className="row">
          <Avatar src={p.picture_url} name="" size={56} />
          <div>
            <h1 tabIndex={-1} style={{ marginBottom: 0 }}>
              {p.name}
            </h1>
            <StateBadge state={p.state} /> {p.is_admin && <span className="badge neutral">System admin</span>}
            <PictureEditor
              whose={`${p.name}’s`}
              current={p.picture_url}
              save={async (picture, onProgress) => person.setData(await sendWithProgress<PersonDetail>('PUT', `/admin/api/people/${id}/picture`, { picture }, onProgress))}
              remove={async () => person.setData(await del<PersonDetail>(`/admin/api/people/${id}/picture`))}
            />
          </div>
        </div>
        <div className="row">
          {p.state === 'provisioned' && (
            <button type="button" onClick={() => run(() => post<PersonDetail>(`/admin/api/people/${id}/invite`), 'Invitation created')}>
              Invite
            </button>
          )}
          {p.state === 'deactivated' ? (
            <button type="button" onClick={() => run(() => post<PersonDetail>(`/admin/api/people/${id}/reactivate`), 'Account reactivated')}>
              Reactivate
            </button>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirm('deactivate')}>
              Deactivate
            </button>
          )}
          {p.state !== 'deactivated' && (
            <button type="button" onClick={() => setConfirm('admin')}>
              {p.is_admin ? 'Remove admin role' : 'Make system admin'}
            </button>
          )}
        </div>
      </div>
      <ErrorNote error={error} />
      {p.invite && (
        <section className="panel" aria-labelledby="invite">
          <h2 id="invite">Invitation</h2>
          <p>
            Valid until <Time value={p.invite.expires_time} />. Send the claim link, or the access code to enter at <code>/claim</code>.
          </p>
          <div className="row">
            <input className="secret" readOnly value={p.invite.claim_link} aria-label="Claim link" style={{ flex: 1, minWidth: 0 }} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={() => copyText(p.invite!.claim_link).then((ok) => toast(ok ? 'Claim link copied' : 'Copy failed'))}>
              Copy link
            </button>
          </div>
          <p>
            Access code: <strong className="secret">{p.invite.access_code}</strong>
          </p>
        </section>
      )}
      <div className="grid2">
        <form className="panel" onSubmit={save} aria-labelledby="profile">
          <h2 id="profile">Profile</h2>
          {FIELDS.map(([key, label]) => (
            <Field key={key} label={label}>
              {(fid) => <input id={fid} name={key} type={key === 'email' ? 'email' : 'text'} defaultValue={(p[key] as string | null) ?? ''} required={key === 'name' || key === 'email'} />}
            </Field>
          ))}
          <button type="submit" className="primary">
            Save profile
          </button>
        </form>
        <section className="panel" aria-labelledby="org">
          <h2 id="org">Manager and reports</h2>
          <p>
            Manager: {p.manager ? <Link to={`/admin/people/${p.manager.id}`}>{p.manager.name}</Link> : <span className="muted">none</span>}{' '}
            {p.manager && (
              <button type="button" className="link" onClick={() => run(() => patch<PersonDetail>(`/admin/api/people/${id}`, { manager_id: null }), 'Manager removed')}>
                Remove
              </button>
            )}
          </p>
          <PersonPicker label="Set manager" exclude={[p.id]} onPick={(m) => run(() => patch<PersonDetail>(`/admin/api/people/${id}`, { manager_id: m.id }), `${m.name} is now the manager`)} />
          <h3>Direct reports</h3>
          {p.reports.length ? (
            <ul>
              {p.reports.map((r) => (
                <li key={r.id}>
                  <Link to={`/admin/people/${r.id}`}>{r.name}</Link> {r.title && <span className="muted">· {r.title}</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">None.</p>
          )}
          <h3>Account</h3>
          <p className="muted">
            Created <Time value={p.created_time} />
            {p.claimed_time && (
              <>
                {' '}
                · claimed <Time value={p.claimed_time} />
              </>
            )}
            {p.deactivated_time && (
              <>
                {' '}
                · deactivated <Time value={p.deactivated_time} />
              </>
            )}
          </p>
        </section>
      </div>
      <Dialog open={confirm === 'deactivate'} title={`Deactivate ${p.name}?`} onClose={() => setConfirm(null)}>
        <p>They are signed out everywhere and can no longer sign in. Their posts stay. You can reactivate the account later.</p>
        <div className="actions">
          <button type="button" onClick={() => setConfirm(null)} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="danger solid"
            onClick={() => {
              setConfirm(null);
              void run(() => post<PersonDetail>(`/admin/api/people/${id}/deactivate`), 'Account deactivated');
            }}
          >
            Deactivate
          </button>
        </div>
      </Dialog>
      <Dialog open={confirm === 'admin'} title={p.is_admin ? `Remove ${p.name}'s admin role?` : `Make ${p.name} a system admin?`} onClose={() => setConfirm(null)}>
        <p>{p.is_admin ? 'They will no longer be able to sign in to the admin panel.' : 'System admins can manage integrations, people, groups and see the security log.'}</p>
        <div className="actions">
          <button type="button" onClick={() => setConfirm(null)} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setConfirm(null);
              void run(() => post<PersonDetail>(`/admin/api/people/${id}/admin`, { admin: !p.is_admin }), p.is_admin ? 'Admin role removed' : 'Admin role granted');
            }}
          >
            {p.is_admin ? 'Remove admin role' : 'Make admin'}
          </button>
        </div>
      </Dialog>
    </>
  );
}
