import type { RsvpStatus } from '../../db/eventsSchema.js';
import { findMembership, type GroupRow } from '../../db/repositories/group.js';
import { deleteEvents, deleteRsvp, type EventRow, findRsvp, insertEvent, updateEvent, upsertRsvp } from '../../db/repositories/groupEvent.js';
import { findMemberById } from '../../db/repositories/member.js';
import { invalidParameter, unknownObject } from '../../errors.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { diff, type OutboxEvent, recordChange } from '../events.js';
import type { Write } from './shared.js';

// Group events and their RSVPs, shared by the Graph API and the member app. Workplace's webhooks
// have one event field, `user`/`events` (a member's events); RSVPs send none.

export const RSVP_STATUSES = ['attending', 'declined', 'maybe', 'interested'] as const satisfies readonly RsvpStatus[];
/** Graph's `type` of an event; an event made in a group is a group event. */
export const EVENT_TYPES = ['private', 'public', 'group', 'community'] as const;

const MAX_NAME = 256;
const MAX_DESCRIPTION = 63_206;
const MAX_PLACE = 1000;
const MAX_INSTANCES = 100;
/** An event lasts at most this long (Graph refuses longer events too). */
const MAX_DURATION_MS = 366 * 86_400_000;

/** An event write with times already parsed to epoch milliseconds; absent fields stay as they are. */
export interface EventInput {
  name?: string;
  description?: string;
  start_time?: number;
  /** null clears the end time. */
  end_time?: number | null;
  timezone?: string;
  place?: string;
  cover_url?: string;
  category?: string;
  type?: string;
  is_draft?: boolean;
  can_guests_invite?: boolean;
  guest_list_enabled?: boolean;
  /** Further instances of a multi-instance event. */
  event_times?: { start_time: number; end_time: number | null }[];
  /** A member of the group who owns the event instead of the caller (Graph's `owner`). */
  owner?: string;
}

/** Checks an IANA time zone name and returns its canonical spelling. */
export function checkTimezone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
  } catch {
    throw invalidParameter(`Param timezone must be an IANA time zone name such as Europe/Paris, got "${zone.slice(0, 64)}"`);
  }
}

function text(name: string, value: string | undefined, max: number, required = false): string | null | undefined {
  if (value === undefined) return undefined;
  const t = value.trim();
  if (required && !t) throw invalidParameter(`The parameter ${name} is required`);
  if (t.length > max) throw invalidParameter(`Param ${name} takes at most ${max} characters`);
  return t || null;
}

function checkSpan(start: number, end: number | null, what = 'end_time') {
  if (end !== null && end < start) throw invalidParameter(`Param ${what} must not be before start_time`);
  if (end !== null && end - start > MAX_DURATION_MS) throw invalidParameter('An event lasts at most 366 days');
}

function checkCover(url: string | undefined): string | null | undefined {
  if (url === undefined) return undefined;
  if (url === '') return null;
  if (!/^https?:\/\/\S+$/i.test(url)) throw invalidParameter('Param cover_url must be an http(s) URL');
  return url;
}

function instancesOf(list: EventInput['event_times']): string | undefined {
  if (list === undefined) return undefined;
  if (list.length > MAX_INSTANCES) throw invalidParameter(`An event has at most ${MAX_INSTANCES} instances`);
  const sorted = [...list].sort((a, b) => a.start_time - b.start_time);
  for (const t of sorted) checkSpan(t.start_time, t.end_time, 'event_times[].end_time');
  return JSON.stringify(sorted.map((t) => ({ id: newId(), start_time: t.start_time, end_time: t.end_time })));
}

/** The `user`/`events` webhook of an event a member owns (none for a bot page's event). */
function eventEvents(event: EventRow, verb: 'add' | 'edit' | 'delete', ownerName: string | null): OutboxEvent[] {
  if (event.owner_type !== 'member') return [];
  const value = {
    verb,
    event_id: event.id,
    group_id: event.group_id,
    from: { id: event.owner_id, ...(ownerName ? { name: ownerName } : {}) },
    name: verb === 'delete' ? undefined : event.name,
    start_time: verb === 'delete' ? undefined : Math.floor(event.start_time / 1000),
    end_time: verb === 'delete' || event.end_time === null ? undefined : Math.floor(event.end_time / 1000),
    is_canceled: verb === 'delete' ? undefined : event.is_canceled === 1,
    created_time: Math.floor(event.updated_time / 1000),
  };
  return [{ topic: 'user', field: 'events', entryId: event.owner_id, orderingKey: event.group_id, value }];
}

async function ownerName(trx: Write['trx'], event: EventRow): Promise<string | null> {
  return event.owner_type === 'member' ? ((await findMemberById(trx, event.owner_id))?.name ?? null) : null;
}

const flag = (b: boolean | undefined) => (b === undefined ? undefined : b ? 1 : 0);

/** Creates an event in a group, owned by the caller (or by `owner`, a member of the group). */
export async function eventCreator({ ctx, actor, trx }: Write, group: GroupRow, input: EventInput): Promise<EventRow> {
  if (group.archived) throw invalidParameter('The group is archived; no events can be created in it');
  const name = text('name', input.name ?? '', MAX_NAME, true)!;
  if (input.start_time === undefined) throw invalidParameter('The parameter start_time is required');
  const end = input.end_time ?? null;
  checkSpan(input.start_time, end);
  if (input.type !== undefined && input.type.toLowerCase() !== 'group') throw invalidParameter('Param type must be group for an event created in a group');
  let owner = authorOf(actor);
  if (input.owner !== undefined && input.owner !== owner.id) {
    if (!/^\d{1,20}$/.test(input.owner) || !(await findMembership(trx, group.id, input.owner))) throw invalidParameter(`Param owner must be a member of the group, got ${input.owner.slice(0, 32)}`);
    owner = { id: input.owner, type: 'member' };
  }
  const now = ctx.clock.now();
  const row: EventRow = {
    id: newId(),
    group_id: group.id,
    owner_id: owner.id,
    owner_type: owner.type,
    name,
    description: text('description', input.description, MAX_DESCRIPTION) ?? null,
    start_time: input.start_time,
    end_time: end,
    timezone: input.timezone === undefined ? 'UTC' : checkTimezone(input.timezone),
    place: text('location', input.place, MAX_PLACE) ?? null,
    cover_url: checkCover(input.cover_url) ?? null,
    category: text('category', input.category, 64) ?? null,
    event_times: instancesOf(input.event_times) ?? '[]',
    is_canceled: 0,
    is_draft: flag(input.is_draft) ?? 0,
    can_guests_invite: flag(input.can_guests_invite) ?? 1,
    guest_list_enabled: flag(input.guest_list_enabled) ?? 1,
    created_time: now,
    updated_time: now,
  };
  await insertEvent(trx, row);
  await recordChange(trx, ctx, actor, {
    action: 'event.created',
    target: { type: 'event', id: row.id },
    new: { group_id: row.group_id, name: row.name, start_time: row.start_time, end_time: row.end_time, owner_id: row.owner_id },
    events: row.is_draft ? [] : eventEvents(row, 'add', await ownerName(trx, row)),
  });
  return row;
}

/** Changes an event's fields; `is_canceled` cancels it (or takes the cancellation back). Returns false for a no-op. */
export async function eventUpdater({ ctx, actor, trx }: Write, event: EventRow, input: EventInput & { is_canceled?: boolean }): Promise<boolean> {
  if (input.owner !== undefined) throw invalidParameter('The owner of an event cannot be changed');
  if (input.type !== undefined && input.type.toLowerCase() !== 'group') throw invalidParameter('Param type must be group for an event of a group');
  const next: Partial<EventRow> = {
    name: input.name === undefined ? undefined : text('name', input.name, MAX_NAME, true)!,
    description: input.description === undefined ? undefined : (text('description', input.description, MAX_DESCRIPTION) ?? null),
    start_time: input.start_time,
    end_time: input.end_time,
    timezone: input.timezone === undefined ? undefined : checkTimezone(input.timezone),
    place: input.place === undefined ? undefined : (text('location', input.place, MAX_PLACE) ?? null),
    cover_url: checkCover(input.cover_url),
    category: input.category === undefined ? undefined : (text('category', input.category, 64) ?? null),
    event_times: instancesOf(input.event_times),
    is_draft: flag(input.is_draft),
    can_guests_invite: flag(input.can_guests_invite),
    guest_list_enabled: flag(input.guest_list_enabled),
    is_canceled: flag(input.is_canceled),
  };
  if (event.is_draft === 0 && next.is_draft === 1) throw invalidParameter('A published event cannot become a draft again');
  const changed = diff(event, next);
  if (!changed) return false;
  const merged = { ...event, ...changed.new, updated_time: ctx.clock.now() };
  checkSpan(merged.start_time, merged.end_time);
  await updateEvent(trx, event.id, { ...changed.new, updated_time: merged.updated_time });
  const canceling = changed.new.is_canceled === 1;
  await recordChange(trx, ctx, actor, {
    action: canceling ? 'event.canceled' : 'event.updated',
    target: { type: 'event', id: event.id },
    old: changed.old,
    new: changed.new,
    events: merged.is_draft ? [] : eventEvents(merged, event.is_draft ? 'add' : 'edit', await ownerName(trx, merged)),
  });
  return true;
}

/** Deletes an event with its RSVPs. */
export async function eventDeleter({ ctx, actor, trx }: Write, event: EventRow): Promise<void> {
  await deleteEvents(trx, [event.id]);
  await recordChange(trx, ctx, actor, {
    action: 'event.deleted',
    target: { type: 'event', id: event.id },
    old: { group_id: event.group_id, name: event.name, start_time: event.start_time, owner_id: event.owner_id },
    events: event.is_draft ? [] : eventEvents(event, 'delete', await ownerName(trx, event)),
  });
}

/**
 * Sets (or, with null, removes) the caller's answer to an event. Answering the same way twice
 * changes nothing and records nothing; returns whether anything changed.
 */
export async function rsvpSetter({ ctx, actor, trx }: Write, event: EventRow, status: RsvpStatus | null): Promise<boolean> {
  const who = authorOf(actor);
  if (status !== null && event.is_canceled) throw invalidParameter('The event is canceled; it takes no answers');
  if (event.is_draft && event.owner_id !== who.id) throw unknownObject(event.id, 'post');
  const before = await findRsvp(trx, event.id, who.id);
  if ((before?.rsvp_status ?? null) === status) return false;
  if (status === null) await deleteRsvp(trx, event.id, who.id);
  else await upsertRsvp(trx, { event_id: event.id, responder_id: who.id, responder_type: who.type, rsvp_status: status, time: ctx.clock.now() });
  await recordChange(trx, ctx, actor, {
    action: status === null ? 'event.rsvp_removed' : 'event.rsvp_set',
    target: { type: 'event', id: event.id },
    old: before ? { rsvp_status: before.rsvp_status } : undefined,
    new: status ? { rsvp_status: status } : undefined,
  });
  return true;
}
