import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { EventRsvpTable, EventTable, RsvpStatus } from '../eventsSchema.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import { indexObject } from './object.js';

export type EventRow = EventTable;
export type RsvpRow = EventRsvpTable;

/** Which events a list keeps: canceled ones or not, and upcoming (not yet ended) or past ones. */
export interface EventFilter {
  includeCanceled: boolean;
  /** Compared with the event's end (its start when it has none). */
  time?: { filter: 'upcoming' | 'past'; now: number };
  /** Drafts are listed only to whoever may see them (their owner). */
  draftsOf?: string | null;
}

/** What a member's event list holds (`/{member}/events?type=`). */
export type MemberEventType = RsvpStatus | 'created' | 'not_replied';

const SORT = { sort: 'event.start_time', id: 'event.id' };

function filtered(db: Db, f: EventFilter) {
  let q = db.selectFrom('event').selectAll('event');
  if (!f.includeCanceled) q = q.where('event.is_canceled', '=', 0);
  if (f.time) {
    const end = sql`coalesce(${sql.ref('event.end_time')}, ${sql.ref('event.start_time')})`;
    q = q.where(f.time.filter === 'upcoming' ? sql<boolean>`${end} >= ${f.time.now}` : sql<boolean>`${end} < ${f.time.now}`);
  }
  q = f.draftsOf ? q.where((eb) => eb.or([eb('event.is_draft', '=', 0), eb('event.owner_id', '=', f.draftsOf!)])) : q.where('event.is_draft', '=', 0);
  return q;
}

export async function findEventsByIds(db: Db, ids: readonly string[]): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('event').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function insertEvent(db: Db, row: EventRow): Promise<void> {
  await db.insertInto('event').values(row).execute();
  await indexObject(db, row.id, 'event');
}

export async function updateEvent(db: Db, id: string, changes: Partial<EventRow>): Promise<void> {
  await db.updateTable('event').set(changes).where('id', '=', id).execute();
}

/** Deletes events with their RSVPs. */
export async function deleteEvents(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('event_rsvp').where('event_id', 'in', [...ids]).execute();
  await db.deleteFrom('event').where('id', 'in', [...ids]).execute();
}

export async function eventIdsOfGroup(db: Db, groupId: string): Promise<string[]> {
  return (await db.selectFrom('event').select('id').where('group_id', '=', groupId).execute()).map((r) => r.id);
}

/** One group's events, keyset-paged on (start_time, id). */
export async function listGroupEvents(db: Db, groupId: string, f: EventFilter, page: PageRequest): Promise<Page<EventRow>> {
  return keysetPage(filtered(db, f).where('event.group_id', '=', groupId), SORT, page);
}

/** The first `limit + 1` events of each of several groups, in one statement. */
export async function listGroupEventsOfMany(db: Db, groupIds: readonly string[], f: EventFilter, order: 'asc' | 'desc', limit: number): Promise<EventRow[]> {
  return firstOfEach(db, groupIds, { sort: 'start_time', id: 'id', direction: order }, (groupId) =>
    filtered(db, f).where('event.group_id', '=', groupId).limit(limit + 1),
  );
}

/** Events of every group (or of the given groups), keyset-paged on (start_time, id). */
export async function listEvents(db: Db, groupIds: readonly string[] | null, f: EventFilter, page: PageRequest): Promise<Page<EventRow>> {
  let q = filtered(db, f);
  if (groupIds) q = q.where('event.group_id', 'in', groupIds.length ? [...groupIds] : ['']);
  return keysetPage(q, SORT, page);
}

function memberEventsQuery(db: Db, memberId: string, type: MemberEventType, groupIds: readonly string[] | null, f: EventFilter) {
  let q = filtered(db, f);
  if (groupIds) q = q.where('event.group_id', 'in', groupIds.length ? [...groupIds] : ['']);
  if (type === 'created') return q.where('event.owner_id', '=', memberId);
  if (type === 'not_replied') {
    return q
      .where('event.group_id', 'in', db.selectFrom('group_member').select('group_id').where('member_id', '=', memberId))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('event_rsvp').select('event_rsvp.event_id').whereRef('event_rsvp.event_id', '=', 'event.id').where('event_rsvp.responder_id', '=', memberId))));
  }
  return q.where('event.id', 'in', db.selectFrom('event_rsvp').select('event_id').where('responder_id', '=', memberId).where('rsvp_status', '=', type));
}

/** A member's events of one kind: answered so, created by them, or not answered in their groups. */
export async function listMemberEvents(db: Db, memberId: string, type: MemberEventType, groupIds: readonly string[] | null, f: EventFilter, page: PageRequest): Promise<Page<EventRow>> {
  return keysetPage(memberEventsQuery(db, memberId, type, groupIds, f), SORT, page);
}

export async function listMemberEventsOfMany(db: Db, memberIds: readonly string[], type: MemberEventType, groupIds: readonly string[] | null, f: EventFilter, order: 'asc' | 'desc', limit: number): Promise<(EventRow & { for_member: string })[]> {
  const rows = await firstOfEach(db, memberIds, { sort: 'start_time', id: 'id', direction: order }, (memberId) =>
    memberEventsQuery(db, memberId, type, groupIds, f).select(sql<string>`${memberId}`.as('for_member')).limit(limit + 1),
  );
  return rows as (EventRow & { for_member: string })[];
}

/** Every event of the member's groups and every event they answered, in a time window (calendar feeds). */
export async function listCalendarEvents(db: Db, memberId: string, groupId: string | null, from: number, limit: number): Promise<EventRow[]> {
  let q = filtered(db, { includeCanceled: true, draftsOf: memberId }).where(sql<boolean>`coalesce(${sql.ref('event.end_time')}, ${sql.ref('event.start_time')}) >= ${from}`);
  if (groupId) q = q.where('event.group_id', '=', groupId);
  else {
    q = q.where((eb) =>
      eb.or([
        eb('event.group_id', 'in', db.selectFrom('group_member').select('group_id').where('member_id', '=', memberId)),
        eb('event.id', 'in', db.selectFrom('event_rsvp').select('event_id').where('responder_id', '=', memberId)),
      ]),
    );
  }
  return q.orderBy('event.start_time').orderBy('event.id').limit(limit).execute();
}

export async function findRsvp(db: Db, eventId: string, responderId: string): Promise<RsvpRow | undefined> {
  return db.selectFrom('event_rsvp').selectAll().where('event_id', '=', eventId).where('responder_id', '=', responderId).executeTakeFirst();
}

export async function rsvpsOf(db: Db, eventIds: readonly string[], responderId: string): Promise<Map<string, RsvpStatus>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db.selectFrom('event_rsvp').select(['event_id', 'rsvp_status']).where('event_id', 'in', [...new Set(eventIds)]).where('responder_id', '=', responderId).execute();
  return new Map(rows.map((r) => [r.event_id, r.rsvp_status]));
}

export async function upsertRsvp(db: Db, row: RsvpRow): Promise<void> {
  await db
    .insertInto('event_rsvp')
    .values(row)
    .onConflict((oc) => oc.columns(['event_id', 'responder_id']).doUpdateSet({ rsvp_status: row.rsvp_status, time: row.time, responder_type: row.responder_type }))
    .execute();
}

export async function deleteRsvp(db: Db, eventId: string, responderId: string): Promise<void> {
  await db.deleteFrom('event_rsvp').where('event_id', '=', eventId).where('responder_id', '=', responderId).execute();
}

/** The answers of one kind to an event, oldest first by default, keyset-paged on (time, responder). */
export async function listRsvps(db: Db, eventId: string, status: RsvpStatus, page: PageRequest): Promise<Page<RsvpRow>> {
  const q = db.selectFrom('event_rsvp').selectAll().where('event_id', '=', eventId).where('rsvp_status', '=', status);
  return keysetPage(q, { sort: 'time', id: 'responder_id' }, page);
}

export async function listRsvpsOfMany(db: Db, eventIds: readonly string[], status: RsvpStatus, order: 'asc' | 'desc', limit: number): Promise<RsvpRow[]> {
  return firstOfEach(db, eventIds, { sort: 'time', id: 'responder_id', direction: order }, (eventId) =>
    db.selectFrom('event_rsvp').selectAll().where('event_id', '=', eventId).where('rsvp_status', '=', status).limit(limit + 1),
  );
}

/** Counts of each answer per event. */
export async function countRsvps(db: Db, eventIds: readonly string[]): Promise<Map<string, Partial<Record<RsvpStatus, number>>>> {
  const out = new Map<string, Partial<Record<RsvpStatus, number>>>();
  if (eventIds.length === 0) return out;
  const rows = await db
    .selectFrom('event_rsvp')
    .select(['event_id', 'rsvp_status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('event_id', 'in', [...new Set(eventIds)])
    .groupBy(['event_id', 'rsvp_status'])
    .execute();
  for (const r of rows) out.set(r.event_id, { ...out.get(r.event_id), [r.rsvp_status]: Number(r.n) });
  return out;
}

function noReplyQuery(db: Db, event: Pick<EventRow, 'id' | 'group_id'>) {
  return db
    .selectFrom('group_member')
    .select(['group_member.member_id', 'group_member.joined_time', 'group_member.group_id'])
    .where('group_member.group_id', '=', event.group_id)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('event_rsvp').select('event_rsvp.event_id').where('event_rsvp.event_id', '=', event.id).whereRef('event_rsvp.responder_id', '=', 'group_member.member_id'))));
}

/** Members of the event's group who have not answered, in the order they joined. */
export async function listNoReply(db: Db, event: Pick<EventRow, 'id' | 'group_id'>, page: PageRequest): Promise<Page<{ member_id: string; joined_time: number }>> {
  return keysetPage(noReplyQuery(db, event), { sort: 'group_member.joined_time', id: 'group_member.member_id' }, page);
}

export async function listNoReplyOfMany(db: Db, events: readonly Pick<EventRow, 'id' | 'group_id'>[], order: 'asc' | 'desc', limit: number): Promise<{ event_id: string; member_id: string; joined_time: number }[]> {
  const byId = new Map(events.map((e) => [e.id, e]));
  const rows = await firstOfEach(db, [...byId.keys()], { sort: 'joined_time', id: 'member_id', direction: order }, (eventId) =>
    noReplyQuery(db, byId.get(eventId)!).select(sql<string>`${eventId}`.as('event_id')).limit(limit + 1),
  );
  return rows as { event_id: string; member_id: string; joined_time: number }[];
}

/** Members of each event's group who have not answered: the group's members less those who did. */
export async function countNoReply(db: Db, events: readonly Pick<EventRow, 'id' | 'group_id'>[]): Promise<Map<string, number>> {
  if (events.length === 0) return new Map();
  const ids = [...new Set(events.map((e) => e.id))];
  const [members, answered] = await Promise.all([
    db
      .selectFrom('group_member')
      .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('group_id', 'in', [...new Set(events.map((e) => e.group_id))])
      .groupBy('group_id')
      .execute(),
    db
      .selectFrom('event_rsvp')
      .innerJoin('event', 'event.id', 'event_rsvp.event_id')
      .innerJoin('group_member', (j) => j.onRef('group_member.group_id', '=', 'event.group_id').onRef('group_member.member_id', '=', 'event_rsvp.responder_id'))
      .select(['event_rsvp.event_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('event_rsvp.event_id', 'in', ids)
      .groupBy('event_rsvp.event_id')
      .execute(),
  ]);
  const byGroup = new Map(members.map((r) => [r.group_id, Number(r.n)]));
  const byEvent = new Map(answered.map((r) => [r.event_id, Number(r.n)]));
  return new Map(events.map((e) => [e.id, (byGroup.get(e.group_id) ?? 0) - (byEvent.get(e.id) ?? 0)]));
}
