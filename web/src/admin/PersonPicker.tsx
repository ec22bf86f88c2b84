import { useEffect, useId, useState } from 'react';
import { get, query } from '../shared/api';
import { Avatar } from '../shared/ui';
import type { Person } from './types';

/** Search-as-you-type for a person; picking one calls onPick. */
export function PersonPicker({ label, onPick, exclude = [] }: { label: string; onPick: (p: Person) => void; exclude?: string[] }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Person[]>([]);
  const id = useId();
  useEffect(() => {
    if (!q.trim()) return setResults([]);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      get<{ data: Person[] }>(`/admin/api/people${query({ q, state: 'active', limit: 8 })}`, controller.signal).then(
        (r) => setResults(r.data.filter((p) => !exclude.includes(p.id))),
        () => undefined,
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or email" autoComplete="off" aria-controls={`${id}-results`} />
      <ul id={`${id}-results`} className="picker" aria-label="Matching people" aria-live="polite">
        {results.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              className="link"
              onClick={() => {
                onPick(p);
                setQ('');
                setResults([]);
              }}
            >
              <Avatar src={p.picture_url} name="" size={24} /> {p.name} <span className="muted">{p.email}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
