import ical, { ICalEventStatus } from 'ical-generator';
import type { EventRow } from '../db/repositories/groupEvent.js';

/** Where event pages live, for URLs and UIDs. */
export interface CalendarContext {
  publicBase: string;
  /** The calendar's name as a calendar app shows it. */
  name: string;
  now: number;
}

/**
 * An iCalendar document (RFC 5545) of events. Times are UTC (`DTSTART:…Z`), so no VTIMEZONE is
 * needed and every calendar app shows them in its own local time. Each instance of a multi-instance event is its own VEVENT. The library escapes text and folds
 * lines at 75 octets.
 */
export function icalendarOf(events: readonly EventRow[], c: CalendarContext): string {
  const host = new URL(c.publicBase).host;
  const calendar = ical({ name: c.name, prodId: { company: 'Commonplace', product: 'Events', language: 'EN' }, ttl: 60 * 60 });
  for (const e of events) {
    const instances: { uid: string; start: number; end: number | null }[] = [
      { uid: `${e.id}@${host}`, start: e.start_time, end: e.end_time },
      ...(JSON.parse(e.event_times) as { id: string; start_time: number; end_time: number | null }[]).map((t) => ({ uid: `${e.id}-${t.id}@${host}`, start: t.start_time, end: t.end_time })),
    ];
    for (const t of instances) {
      calendar.createEvent({
        id: t.uid,
        sequence: Math.max(0, Math.floor((e.updated_time - e.created_time) / 1000)),
        start: new Date(t.start),
        // An event without an end takes an hour, as calendar apps assume.
        end: new Date(t.end ?? t.start + 3_600_000),
        stamp: new Date(c.now),
        lastModified: new Date(e.updated_time),
        created: new Date(e.created_time),
        summary: e.is_canceled ? `Canceled: ${e.name}` : e.name,
        description: e.description ?? undefined,
        location: e.place ?? undefined,
        url: `${c.publicBase}/groups/${e.group_id}/events/${e.id}`,
        status: e.is_canceled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      });
    }
  }
  return calendar.toString();
}
