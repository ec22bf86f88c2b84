import type { EventInput } from '../../../domain/commands/groupEvent.js';
import { invalidParameter } from '../../../errors.js';
import type { Params } from '../../params.js';
import type { ParamDoc } from '../../registry.js';
import { parseGraphTime } from '../../time.js';

function time(params: Params, name: string, now: number): number | undefined {
  const v = params.string(name);
  return v === undefined ? undefined : parseGraphTime(v, now, name);
}

/** `location` as text, or `place` as text or `{name}` (Graph's Place). */
function placeOf(params: Params): string | undefined {
  const raw = params.rawString('location');
  if (raw !== undefined) return raw;
  const place = params.values.place;
  if (place === undefined || place === null) return undefined;
  if (typeof place === 'string' && !place.trim().startsWith('{')) return place;
  const value = params.json('place');
  const name = typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') throw invalidParameter('Param place must be text or {"name": "…"}');
  return name;
}

function instances(params: Params, now: number): EventInput['event_times'] {
  const value = params.json('event_times');
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : null;
  if (!list) throw invalidParameter('Param event_times must be a list of {"start_time", "end_time"}');
  return list.map((item) => {
    const t = item as { start_time?: unknown; end_time?: unknown };
    if (typeof item !== 'object' || item === null || (typeof t.start_time !== 'string' && typeof t.start_time !== 'number')) {
      throw invalidParameter('Each of event_times needs a start_time');
    }
    const end = t.end_time === undefined || t.end_time === null || t.end_time === '' ? null : parseGraphTime(String(t.end_time), now, 'event_times[].end_time');
    return { start_time: parseGraphTime(String(t.start_time), now, 'event_times[].start_time'), end_time: end };
  });
}

/** The event parameters of a create or an update, as Graph clients send them. */
export function eventInput(params: Params, now: number): EventInput & { is_canceled?: boolean } {
  const endRaw = params.rawString('end_time');
  return {
    name: params.rawString('name'),
    description: params.rawString('description'),
    start_time: time(params, 'start_time', now),
    end_time: endRaw === undefined ? undefined : endRaw.trim() === '' ? null : time(params, 'end_time', now),
    timezone: params.string('timezone'),
    place: placeOf(params),
    cover_url: params.rawString('cover_url'),
    category: params.rawString('category'),
    type: params.string('type'),
    is_draft: params.boolean('is_draft'),
    can_guests_invite: params.boolean('can_guests_invite'),
    guest_list_enabled: params.boolean('guest_list_enabled'),
    event_times: instances(params, now),
    owner: params.string('owner'),
    is_canceled: params.boolean('is_canceled'),
  };
}

export const eventParams: readonly ParamDoc[] = [
  { name: 'name', description: 'Event name (required to create)' },
  { name: 'start_time', description: 'ISO-8601 (2026-12-04T10:00:00+0100) or unix seconds (required to create)' },
  { name: 'end_time', description: 'ISO-8601 or unix seconds; empty clears it' },
  { name: 'timezone', description: 'IANA zone name (Europe/Paris); times are presented in it. Default UTC' },
  { name: 'description', description: 'Long-form description' },
  { name: 'location', description: 'Where it happens (also place, as text or {"name"})' },
  { name: 'cover_url', description: 'An http(s) URL of the cover picture' },
  { name: 'category', description: 'Free-form category' },
  { name: 'type', description: 'group (the only type of an event created in a group)' },
  { name: 'guest_list_enabled', description: 'Guests can see the guest list (default true)', type: 'boolean' },
  { name: 'can_guests_invite', description: 'Guests may invite others (default true)', type: 'boolean' },
  { name: 'is_draft', description: 'A draft is seen only by its owner until published (is_draft=false)', type: 'boolean' },
  { name: 'event_times', description: 'More instances: [{"start_time", "end_time"}]', type: 'array' },
  { name: 'owner', description: 'A member of the group who owns the event instead of the bot page (create only)' },
];
