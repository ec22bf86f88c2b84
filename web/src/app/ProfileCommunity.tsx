import { type FormEvent, useEffect, useState } from 'react';
import { del, get, post } from '../shared/api';
import { Link } from '../shared/router';
import { BadgeIcon } from '../shared/badgeIcons';
import { ErrorNote, useLoad } from '../shared/ui';

interface BadgeView {
  id: string;
  name: string;
  description: string;
  icon: string;
}
interface SkillView {
  id: string;
  name: string;
}


interface Warning {
  id: string;
  object_type: 'post' | 'comment';
  excerpt: string;
  note: string | null;
  time: string | null;
}

/** Warnings admins gave on reported content of yours (shown on your own profile only). */
function Warnings() {
  const { data } = useLoad((signal) => get<{ data: Warning[] }>('/api/me/warnings', signal), []);
  if (!data || data.data.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="warnings">
      <h2 id="warnings">Notices from the admins</h2>
      <ul className="stack">
        {data.data.map((w) => (
          <li key={w.id}>
            An admin reviewed a reported {w.object_type} of yours (“{w.excerpt.slice(0, 120)}”) and kept it with a warning{w.note ? <>: <strong>{w.note}</strong></> : '.'}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Badges and skills on a profile; on your own profile you add and remove skills. */
export function ProfileCommunity({ id, own }: { id: string; own: boolean }) {
  const { data, error } = useLoad((signal) => get<{ badges: BadgeView[]; skills: SkillView[] }>(`/api/people/${id}/community`, signal), [id]);
  const [skills, setSkills] = useState<SkillView[]>([]);
  const [draft, setDraft] = useState('');
  const [suggestions, setSuggestions] = useState<SkillView[]>([]);
  const [writeError, setWriteError] = useState<unknown>();
  useEffect(() => setSkills(data?.skills ?? []), [data]);
  useEffect(() => {
    if (!own || !draft.trim()) return setSuggestions([]);
    const controller = new AbortController();
    get<{ data: SkillView[] }>(`/api/skills?q=${encodeURIComponent(draft.trim())}`, controller.signal).then((r) => setSuggestions(r.data), () => undefined);
    return () => controller.abort();
  }, [draft, own]);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    setWriteError(undefined);
    try {
      setSkills((await post<{ skills: SkillView[] }>('/api/me/skills', { name: draft })).skills);
      setDraft('');
    } catch (e) {
      setWriteError(e);
    }
  };
  const remove = async (skill: SkillView) => {
    setWriteError(undefined);
    await del<{ skills: SkillView[] }>(`/api/me/skills/${encodeURIComponent(skill.name)}`).then((r) => setSkills(r.skills), setWriteError);
  };
  if (error) return <ErrorNote error={error} />;
  if (!data) return null;
  return (
    <>
    {own && <Warnings />}
    <div className="grid2">
      <section className="panel" aria-labelledby="badges">
        <h2 id="badges">Badges</h2>
        {data.badges.length === 0 ? (
          <p className="muted">No badges yet.</p>
        ) : (
          <ul className="chips" aria-label="Badges" style={{ listStyle: 'none', padding: 0 }}>
            {data.badges.map((b) => (
              <li key={b.id} className="chip" title={b.description}>
                <BadgeIcon icon={b.icon} /> {b.name}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="skills">
        <h2 id="skills">Skills</h2>
        {skills.length === 0 && <p className="muted">{own ? 'Add what you are good at, so colleagues can find you.' : 'No skills listed.'}</p>}
        <ul className="chips" aria-label="Skills" style={{ listStyle: 'none', padding: 0 }}>
          {skills.map((s) => (
            <li key={s.id} className="chip">
              <Link to={`/people?skill=${encodeURIComponent(s.name)}`}>{s.name}</Link>
              {own && (
                <button type="button" className="icon" onClick={() => remove(s)} aria-label={`Remove ${s.name}`}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
        {own && (
          <form onSubmit={add} className="row" aria-label="Add a skill">
            <label className="visually-hidden" htmlFor="new-skill">
              New skill
            </label>
            <input id="new-skill" list="skill-suggestions" value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={100} placeholder="Add a skill" />
            <datalist id="skill-suggestions">
              {suggestions.map((s) => (
                <option key={s.id} value={s.name} />
              ))}
            </datalist>
            <button type="submit" disabled={!draft.trim()}>
              Add
            </button>
          </form>
        )}
        <ErrorNote error={writeError} />
      </section>
    </div>
    </>
  );
}
