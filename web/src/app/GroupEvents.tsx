import { type FormEvent, useRef, useState } from 'react';
import { get, post, query } from '../shared/api';
import { Dialog, ErrorNote, Field, Loading, copyText, toast, useLoad } from '../shared/ui';
import type { Group, GroupEvent } from './types';

// The Events tab of a group page: upcoming and past events, a form to create one, answers
// (going, maybe, can't go), cancel for the host and group moderators, and the group's calendar
// link for calendar apps. Everything goes through src/member/groupEvents.ts.

const RSVP: [GroupEvent['my_rsvp'] & string, string][] = [
  ['attending', 'Going'],
  ['maybe', 'Maybe'],
  ['declined', "Can't go"],
];

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** `YYYY-MM-DDTHH:MM` of a datetime-local field, read in the browser's zone, as an ISO time. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : '');

function timeText(e: GroupEvent): string {
  const start = new Date(e.start_time);
  const date = start.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
  const time = (d: Date) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (!e.end_time) return `${date}, ${time(start)}`;
  const end = new Date(e.end_time);
  return start.toDateString() === end.toDateString() ? `${date}, ${time(start)} – ${time(end)}` : `${date}, ${time(start)} – ${end.toLocaleDateString()} ${time(end)}`;
}

function EventCard({ initial, canAnswer }: { initial: GroupEvent; canAnswer: boolean }) {
  const [e, setE] = useState(initial);
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState(false);
  const start = new Date(e.start_time);
  const answer = async (status: GroupEvent['my_rsvp']) => {
    setError(undefined);
    try {
      setE(await post<GroupEvent>(`/api/events/${e.id}/rsvp`, { rsvp_status: e.my_rsvp === status ? null : status }));
    } catch (err) {
      setError(err);
    }
  };
  const cancel = async () => {
    try {
      setE(await post<GroupEvent>(`/api/events/${e.id}`, { is_canceled: true }));
      setConfirming(false);
      toast(`${e.name} is canceled`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <li className={`event-card${e.is_canceled ? ' canceled' : ''}`} data-event={e.id}>
      <div className="event-date" aria-hidden="true">
        <div className="month">{start.toLocaleDateString(undefined, { month: 'short' })}</div>
        <div className="day">{start.getDate()}</div>
      </div>
      <div>
        <h3 id={`event-${e.id}`}>{e.name}</h3>
        <div className="muted">
          {timeText(e)}
          {e.place && ` · ${e.place}`}
          {e.is_canceled && (
            <>
              {' '}
              · <span className="badge off">Canceled</span>
            </>
          )}
        </div>
        {e.description && <p style={{ margin: '0.3rem 0' }}>{e.description}</p>}
        <div className="muted">
          Hosted by {e.owner.name ?? 'someone'} · {e.counts.attending} going · {e.counts.maybe} maybe · {e.counts.declined} can't go
        </div>
        <div className="row rsvp" role="group" aria-label={`Your answer to ${e.name}`} style={{ marginTop: '0.4rem' }}>
          {canAnswer &&
            !e.is_canceled &&
            RSVP.map(([status, label]) => (
              <button key={status} type="button" aria-pressed={e.my_rsvp === status} onClick={() => void answer(status)}>
                {label}
              </button>
            ))}
          {e.can_edit && !e.is_canceled && (
            <button type="button" className="link" onClick={() => setConfirming(true)}>
              Cancel event
            </button>
          )}
        </div>
        <ErrorNote error={error} />
      </div>
      <Dialog open={confirming} title={`Cancel ${e.name}?`} onClose={() => setConfirming(false)}>
        <p>Everyone in the group sees it as canceled, and calendars that subscribe to the group drop it.</p>
        <div className="row">
          <button type="button" className="danger" onClick={() => void cancel()}>
            Cancel event
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </li>
  );
}

function CreateEvent({ group, onCreated, onClose }: { group: Group; onCreated: () => void; onClose: () => void }) {
  const [form, setForm] = useState({ name: '', start: '', end: '', place: '', description: '' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (ev: { target: { value: string } }) => setForm({ ...form, [k]: ev.target.value });
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await post<GroupEvent>(`/api/groups/${group.id}/events`, {
        name: form.name,
        start_time: isoOf(form.start),
        end_time: form.end ? isoOf(form.end) : undefined,
        timezone: localZone(),
        place: form.place || undefined,
        description: form.description || undefined,
      });
      toast(`${form.name} is on the calendar`);
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel stack" onSubmit={submit} aria-label="New event">
      <h2>New event</h2>
      <Field label="Name">{(id) => <input id={id} value={form.name} onChange={set('name')} required maxLength={256} />}</Field>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <Field label="Starts" hint={`Your time zone: ${localZone()}`}>
          {(id, hint) => <input id={id} type="datetime-local" value={form.start} onChange={set('start')} required aria-describedby={hint} />}
        </Field>
        <Field label="Ends (optional)">{(id) => <input id={id} type="datetime-local" value={form.end} min={form.start || undefined} onChange={set('end')} />}</Field>
      </div>
      <Field label="Where (optional)">{(id) => <input id={id} value={form.place} onChange={set('place')} maxLength={1000} />}</Field>
      <Field label="Details (optional)">{(id) => <textarea id={id} value={form.description} onChange={set('description')} rows={3} />}</Field>
      <ErrorNote error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy || !form.name.trim() || !form.start}>
          Create event
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

/** The group's .ics link: made (or made again, which ends the old one) on request, then copied. */
function CalendarLink({ group }: { group: Group }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const field = useRef<HTMLInputElement>(null);
  const make = async () => {
    setError(undefined);
    try {
      const made = await post<{ url: string }>('/api/calendar-feeds', { group_id: group.id });
      setUrl(made.url);
      toast((await copyText(made.url, field.current)) ? 'Calendar link copied' : 'Select the link and copy it');
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="panel" aria-labelledby="calendar-link">
      <h2 id="calendar-link">Subscribe in your calendar</h2>
      <p className="muted">
        A private link to {group.name}'s events for Google Calendar, Outlook or Apple Calendar. Anyone with the link sees the events; making a new one ends the old one.
      </p>
      <div className="row">
        <button type="button" onClick={() => void make()}>
          {url ? 'Make a new link' : 'Copy calendar link'}
        </button>
        {url && (
          <>
            <label className="visually-hidden" htmlFor="calendar-url">
              Calendar link
            </label>
            <input id="calendar-url" ref={field} readOnly value={url} style={{ flex: 1 }} onFocus={(e) => e.target.select()} />
          </>
        )}
      </div>
      <ErrorNote error={error} />
    </section>
  );
}

export function GroupEvents({ group }: { group: Group }) {
  const [when, setWhen] = useState<'upcoming' | 'past'>('upcoming');
  const [version, setVersion] = useState(0);
  const [creating, setCreating] = useState(false);
  const [more, setMore] = useState<GroupEvent[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const list = useLoad((signal) => get<{ data: GroupEvent[]; next: string | null }>(`/api/groups/${group.id}/events${query({ when })}`, signal), [group.id, when, version]);
  const reload = () => {
    setMore([]);
    setNext(undefined);
    setVersion((v) => v + 1);
  };
  const cursor = next === undefined ? list.data?.next : next;
  const events = [...(list.data?.data ?? []), ...more];
  return (
    <>
      {group.can_post && !creating && (
        <div className="row" style={{ marginBottom: '1rem' }}>
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create event
          </button>
        </div>
      )}
      {creating && (
        <CreateEvent
          group={group}
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            setWhen('upcoming');
            reload();
          }}
        />
      )}
      <section className="panel" aria-labelledby="events-heading">
        <div className="spread">
          <h2 id="events-heading">{when === 'upcoming' ? 'Upcoming events' : 'Past events'}</h2>
          <div className="row rsvp" role="group" aria-label="Which events">
            {(['upcoming', 'past'] as const).map((w) => (
              <button key={w} type="button" aria-pressed={when === w} onClick={() => (setWhen(w), setMore([]), setNext(undefined))}>
                {w === 'upcoming' ? 'Upcoming' : 'Past'}
              </button>
            ))}
          </div>
        </div>
        <ErrorNote error={list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data && events.length === 0 && <p className="muted">{when === 'upcoming' ? 'Nothing planned yet.' : 'No past events.'}</p>}
        <ul className="event-list" aria-label={when === 'upcoming' ? 'Upcoming events' : 'Past events'}>
          {events.map((e) => (
            <EventCard key={`${e.id}-${version}`} initial={e} canAnswer={group.can_interact} />
          ))}
        </ul>
        {cursor && (
          <button
            type="button"
            onClick={async () => {
              const page = await get<{ data: GroupEvent[]; next: string | null }>(`/api/groups/${group.id}/events${query({ when, after: cursor })}`);
              setMore([...more, ...page.data]);
              setNext(page.next);
            }}
          >
            More events
          </button>
        )}
      </section>
      <CalendarLink group={group} />
    </>
  );
}
