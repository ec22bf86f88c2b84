import { useState } from 'react';
import { get, query } from '../shared/api';
import { Link, useLocation } from '../shared/router';
import { Avatar, ErrorNote, Loading, useLoad } from '../shared/ui';
import { ProfileCommunity } from './ProfileCommunity';
import { OwnPictureEditor } from './ProfilePicture';
import type { Profile, ProfileRef } from './types';

export function PeopleScreen() {
  const initialSkill = useLocation().search.get('skill');
  const [q, setQ] = useState(initialSkill ?? '');
  const [bySkill, setBySkill] = useState(initialSkill !== null);
  const { data, error } = useLoad(
    (signal) => (bySkill ? get<{ data: ProfileRef[] }>(`/api/skills/people${query({ name: q })}`, signal) : get<{ data: ProfileRef[] }>(`/api/people${query({ q, limit: 50 })}`, signal)),
    [q, bySkill],
  );
  return (
    <>
      <h1 tabIndex={-1}>People</h1>
      <div className="panel" role="search">
        <label>
          <span className="label">{bySkill ? 'People with the skill' : 'Search people and bots'}</span>
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={bySkill ? 'A skill, such as TypeScript' : 'Name, title or department'} />
        </label>
        <label className="check">
          <input type="checkbox" checked={bySkill} onChange={(e) => setBySkill(e.target.checked)} /> Search by skill
        </label>
      </div>
      <ErrorNote error={error} />
      {data && (
        <ul className="panel picker">
          {data.data.map((p) => (
            <li key={p.id} className="row" style={{ padding: '0.35rem 0' }}>
              <Avatar src={p.picture_url} name="" size={36} />
              <span>
                <Link to={`/people/${p.id}`}>{p.name}</Link> {p.type === 'page' && <span className="bot-badge">BOT</span>}
                {p.title && <div className="muted">{p.title}</div>}
              </span>
            </li>
          ))}
          {data.data.length === 0 && <li className="muted">Nobody matches.</li>}
        </ul>
      )}
    </>
  );
}

function Node({ p, self }: { p: ProfileRef; self?: boolean }) {
  return (
    <Link className={`node${self ? ' self' : ''}`} to={`/people/${p.id}`} aria-current={self ? 'page' : undefined}>
      <Avatar src={p.picture_url} name="" size={28} />
      <span>
        {p.name}
        {p.title && <div className="muted">{p.title}</div>}
      </span>
    </Link>
  );
}

export function ProfileScreen({ id, meId }: { id: string; meId: string }) {
  const { data, error, setData } = useLoad((signal) => get<Profile>(`/api/people/${id}`, signal), [id]);
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading />;
  const p = data;
  const fields: [string, string | null | undefined][] = [
    ['Title', p.title],
    ['Department', p.department],
    ['Division', p.division],
    ['Organization', p.organization],
    ['Email', p.email],
    ['Phone', p.primary_phone],
    ['Location', p.primary_address],
  ];
  return (
    <>
      <div className="panel row">
        <Avatar src={p.picture_large_url ?? p.picture_url} name={p.name} size={88} />
        <div>
          <h1 tabIndex={-1} style={{ marginBottom: 0 }}>
            {p.name} {p.type === 'page' && <span className="bot-badge">BOT</span>}
          </h1>
          {p.title && <div>{p.title}</div>}
          {p.active === false && <span className="badge off">Deactivated</span>}
          {p.id === meId && p.kind === 'person' && <OwnPictureEditor current={p.picture_url} onChange={(links) => setData({ ...p, ...links })} />}
          {p.id !== meId && (
            <p>
              <Link className="button" to={`/chat?with=${p.id}`}>
                Message
              </Link>
            </p>
          )}
        </div>
      </div>
      {p.kind !== 'bot' && <ProfileCommunity id={p.id} own={p.id === meId} />}
      {p.kind === 'bot' ? (
        <p className="panel">This is the page of a custom integration. It posts in groups and answers in Work Chat.</p>
      ) : (
        <div className="grid2">
          <section className="panel" aria-labelledby="work">
            <h2 id="work">Work</h2>
            <dl>
              {fields
                .filter(([, v]) => v)
                .map(([k, v]) => (
                  <div key={k} style={{ marginBottom: '0.4rem' }}>
                    <dt className="label">{k}</dt>
                    <dd style={{ margin: 0 }}>{k === 'Email' ? <a href={`mailto:${v}`}>{v}</a> : v}</dd>
                  </div>
                ))}
            </dl>
          </section>
          <section className="panel" aria-labelledby="orgchart">
            <h2 id="orgchart">Org chart</h2>
            <div className="org">
              {[...(p.managers ?? [])].reverse().map((m) => (
                <div key={m.id} className="org">
                  <Node p={m} />
                  <span className="line" aria-hidden="true" />
                </div>
              ))}
              <Node p={p} self />
              {(p.reports?.length ?? 0) > 0 && (
                <>
                  <span className="line" aria-hidden="true" />
                  <div className="reports" aria-label="Direct reports">
                    {p.reports!.map((r) => (
                      <Node key={r.id} p={r} />
                    ))}
                  </div>
                </>
              )}
            </div>
          </section>
        </div>
      )}
    </>
  );
}
