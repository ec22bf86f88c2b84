import { type FormEvent, useState } from 'react';
import { del, get, patch, post, put, query } from '../shared/api';
import { Link, navigate } from '../shared/router';
import { Avatar, Dialog, ErrorNote, Field, Loading, toast, useLoad } from '../shared/ui';
import { PersonPicker } from './PersonPicker';
import type { GroupView, Person } from './types';

type Member = Person & { role: 'admin' | 'moderator' | 'member'; joined_time: string };
type GroupDetailView = GroupView & { members: Member[] };

const PRIVACY_HELP: Record<string, string> = {
  OPEN: 'Anyone in the community can see the group and its posts.',
  CLOSED: 'Anyone can see the group; only members see its posts.',
  SECRET: 'Only members can find the group and see its posts.',
};

function GroupSettings({ group, submitLabel, onSubmit }: { group?: GroupView; submitLabel: string; onSubmit: (body: Record<string, unknown>) => Promise<void> }) {
  const [privacy, setPrivacy] = useState(group?.privacy ?? 'CLOSED');
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(undefined);
    try {
      await onSubmit({
        name: form.get('name'),
        description: form.get('description') || null,
        privacy,
        join_setting: form.get('join_setting'),
        post_permissions: form.get('post_permissions'),
      });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form onSubmit={submit}>
      <Field label="Name">{(id) => <input id={id} name="name" type="text" required maxLength={200} defaultValue={group?.name} autoFocus={!group} />}</Field>
      <Field label="Description">{(id) => <textarea id={id} name="description" defaultValue={group?.description ?? ''} />}</Field>
      <Field label="Privacy" hint={PRIVACY_HELP[privacy]}>
        {(id, hint) => (
          <select id={id} value={privacy} onChange={(e) => setPrivacy(e.target.value as GroupView['privacy'])} aria-describedby={hint}>
            <option value="OPEN">Public (OPEN)</option>
            <option value="CLOSED">Closed</option>
            <option value="SECRET">Secret</option>
          </select>
        )}
      </Field>
      <Field label="Who can join">
        {(id) => (
          <select id={id} name="join_setting" defaultValue={group?.join_setting ?? 'NONE'}>
            <option value="NONE">Members are added by group admins (public groups: anyone)</option>
            <option value="ANYONE">Anyone who can see the group</option>
            <option value="ADMIN_ONLY">Only group admins add members</option>
          </select>
        )}
      </Field>
      <Field label="Who can post">
        {(id) => (
          <select id={id} name="post_permissions" defaultValue={group?.post_permissions ?? 'NONE'}>
            <option value="NONE">Every member</option>
            <option value="ADMIN_ONLY">Group admins and moderators only</option>
          </select>
        )}
      </Field>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" className="primary">
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

export function GroupsScreen() {
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const { data, error, loading } = useLoad((signal) => get<{ data: GroupView[] }>(`/admin/api/group-list${query({ q })}`, signal), [q]);
  const create = async (body: Record<string, unknown>) => {
    const group = await post<GroupView>('/admin/api/groups', body);
    toast(`${group.name} created`);
    setCreating(false);
    navigate(`/admin/groups/${group.id}`);
  };
  return (
    <>
      <div className="spread">
        <h1 tabIndex={-1}>Groups</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create group
        </button>
      </div>
      <div className="panel" role="search">
        <label>
          <span className="label">Search groups</span>
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
      </div>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && (
        <div className="panel table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Privacy</th>
                <th scope="col">Members</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((g) => (
                <tr key={g.id}>
                  <td>
                    <Link to={`/admin/groups/${g.id}`}>{g.name}</Link>
                  </td>
                  <td>{g.privacy.toLowerCase()}</td>
                  <td>{g.member_count ?? '—'}</td>
                  <td>{g.archived ? <span className="badge off">Archived</span> : <span className="badge on">Active</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.data.length === 0 && <p className="muted">No groups.</p>}
        </div>
      )}
      <Dialog open={creating} title="Create a group" onClose={() => setCreating(false)}>
        <GroupSettings submitLabel="Create group" onSubmit={create} />
      </Dialog>
    </>
  );
}

export function GroupDetail({ id }: { id: string }) {
  const group = useLoad((signal) => get<GroupDetailView>(`/admin/api/groups/${id}`, signal), [id]);
  const [error, setError] = useState<unknown>();
  if (group.error) return <ErrorNote error={group.error} />;
  if (!group.data) return <Loading />;
  const g = group.data;
  const run = async (fn: () => Promise<unknown>, message: string) => {
    setError(undefined);
    try {
      await fn();
      toast(message);
      group.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <p>
        <Link to="/admin/groups">← Groups</Link>
      </p>
      <div className="spread">
        <div>
          <h1 tabIndex={-1} style={{ marginBottom: 0 }}>
            {g.name}
          </h1>
          <span className="muted">
            {g.privacy.toLowerCase()} · {g.members.length} members
          </span>{' '}
          {g.archived && <span className="badge off">Archived</span>}
        </div>
        <button type="button" onClick={() => run(() => patch(`/admin/api/groups/${id}`, { archived: !g.archived }), g.archived ? 'Group restored' : 'Group archived')}>
          {g.archived ? 'Restore' : 'Archive'}
        </button>
      </div>
      <ErrorNote error={error} />
      <div className="grid2">
        <section className="panel" aria-labelledby="settings">
          <h2 id="settings">Settings</h2>
          <GroupSettings key={JSON.stringify(g)} group={g} submitLabel="Save settings" onSubmit={(body) => run(() => patch(`/admin/api/groups/${id}`, body), 'Group saved')} />
        </section>
        <section className="panel" aria-labelledby="members">
          <h2 id="members">Members and roles</h2>
          <PersonPicker label="Add a member" exclude={g.members.map((m) => m.id)} onPick={(p) => run(() => put(`/admin/api/groups/${id}/members/${p.id}`, { role: 'member' }), `${p.name} added`)} />
          <ul className="picker">
            {g.members.map((m) => (
              <li key={m.id} className="spread" style={{ padding: '0.3rem 0' }}>
                <span className="row">
                  <Avatar src={m.picture_url} name="" size={28} /> <Link to={`/admin/people/${m.id}`}>{m.name}</Link>
                </span>
                <span className="row">
                  <label>
                    <span className="visually-hidden">Role of {m.name}</span>
                    <select value={m.role} onChange={(e) => run(() => put(`/admin/api/groups/${id}/members/${m.id}`, { role: e.target.value }), `${m.name} is now ${e.target.value === 'admin' ? 'an admin' : `a ${e.target.value}`}`)}>
                      <option value="member">Member</option>
                      <option value="moderator">Moderator</option>
                      <option value="admin">Admin</option>
                    </select>
                  </label>
                  <button type="button" className="link" aria-label={`Remove ${m.name}`} onClick={() => run(() => del(`/admin/api/groups/${id}/members/${m.id}`), `${m.name} removed`)}>
                    Remove
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}
