import { type FormEvent, useState } from 'react';
import { get, query } from '../shared/api';
import { ErrorNote, Field, Loading, useLoad } from '../shared/ui';
import type { AuditEvent } from './types';

function summary(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

export function AuditTable({ events }: { events: AuditEvent[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Event</th>
            <th scope="col">Target</th>
            <th scope="col" className="hide-phone">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td>
                <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
              </td>
              <td>
                {e.actor.name ?? e.actor.id ?? '—'} <span className="muted">({e.actor.type})</span>
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.target.name ?? e.target.id ?? '—'} <span className="muted">({e.target.type})</span>
              </td>
              <td className="hide-phone muted" style={{ maxWidth: 360, overflowWrap: 'anywhere' }}>
                {summary(e.new_value ?? e.old_value)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const TYPES = ['', 'admin.', 'account.', 'integration.', 'group.', 'post.', 'comment.', 'webhook.', 'chat.', 'member.'];

export function SecurityLog() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [pages, setPages] = useState<AuditEvent[][]>([]);
  const first = useLoad(async (signal) => {
    const result = await get<{ data: AuditEvent[]; next: string | null }>(`/admin/api/security-log${query({ ...filters, limit: 100 })}`, signal);
    setPages([]);
    return result;
  }, [JSON.stringify(filters)]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const cursor = next === undefined ? first.data?.next : next;
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const toIso = (v: FormDataEntryValue | null) => (v ? new Date(String(v)).toISOString() : '');
    setNext(undefined);
    setFilters({ actor: String(form.get('actor') ?? ''), type: String(form.get('type') ?? ''), since: toIso(form.get('since')), until: toIso(form.get('until')) });
  };
  const more = async () => {
    if (!cursor) return;
    const result = await get<{ data: AuditEvent[]; next: string | null }>(`/admin/api/security-log${query({ ...filters, limit: 100, before: cursor })}`);
    setPages([...pages, result.data]);
    setNext(result.next);
  };
  const events = [...(first.data?.data ?? []), ...pages.flat()];
  return (
    <>
      <div className="spread">
        <h1 tabIndex={-1}>Security log</h1>
        <a className="button" href={`/admin/api/security-log.csv${query(filters)}`} download>
          Export CSV
        </a>
      </div>
      <form className="panel" onSubmit={apply} aria-label="Filter events">
        <div className="grid2">
          <Field label="Actor" hint="A person's email, or an id (person or integration).">
            {(id, hint) => <input id={id} name="actor" type="text" defaultValue={filters.actor} aria-describedby={hint} />}
          </Field>
          <Field label="Event type">
            {(id) => (
              <select id={id} name="type" defaultValue={filters.type}>
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t ? `${t}*` : 'All events'}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="From">{(id) => <input id={id} name="since" type="datetime-local" />}</Field>
          <Field label="To">{(id) => <input id={id} name="until" type="datetime-local" />}</Field>
        </div>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      <ErrorNote error={first.error} />
      {first.loading && !first.data && <Loading />}
      {first.data && (events.length ? <div className="panel"><AuditTable events={events} /></div> : <p className="muted">No events match.</p>)}
      {cursor && (
        <button type="button" onClick={more}>
          Load older events
        </button>
      )}
    </>
  );
}
