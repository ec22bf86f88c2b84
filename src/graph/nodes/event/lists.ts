import type { GroupRow } from '../../../db/repositories/group.js';
import { type EventFilter, type EventRow, listEvents, listGroupEvents, listGroupEventsOfMany, listMemberEvents, listMemberEventsOfMany, type MemberEventType } from '../../../db/repositories/groupEvent.js';
import type { MemberRow } from '../../../db/repositories/member.js';
import { authorOf } from '../../../domain/actor.js';
import { invalidParameter } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { EdgeQuery, EdgeSpec, Presentation } from '../../../presenters/types.js';
import { byParent, direction, scopeIds } from '../shared.js';

// The event lists of groups, the community and members. They live apart from the event type so
// the group, community and member types can name them without importing each other.

const LIST_PARAMS = ['include_canceled', 'time_filter'] as const;

/** `include_canceled` (default true; a member's list defaults to false, as Graph's) and `time_filter`, with the drafts the caller may see. */
export function eventFilterOf(p: Presentation, q: EdgeQuery, canceledByDefault = true): EventFilter {
  const canceled = (q.extra?.include_canceled ?? '').trim().toLowerCase();
  const time = (q.extra?.time_filter ?? '').trim().toLowerCase();
  if (time && time !== 'upcoming' && time !== 'past') throw invalidParameter('Param time_filter must be upcoming or past');
  if (canceled && !['true', '1', 'false', '0'].includes(canceled)) throw invalidParameter('Param include_canceled must be a boolean');
  return {
    includeCanceled: canceled === '' ? canceledByDefault : canceled === 'true' || canceled === '1',
    time: time ? { filter: time as 'upcoming' | 'past', now: p.ctx.clock.now() } : undefined,
    draftsOf: p.actor.kind === 'system' ? null : authorOf(p.actor).id,
  };
}

const position = (e: EventRow) => ({ sort: e.start_time, id: e.id });

/** `/{group}/events`: newest start first; `order=chronological` for the soonest first. */
export const groupEventsEdge: EdgeSpec<GroupRow, EventRow> = {
  target: 'event',
  authorize: (p, g) => authorize(p.actor, 'group.feed.read', { groupId: g.id }),
  position,
  params: LIST_PARAMS,
  page: (p, g, q) => listGroupEvents(p.ctx.db, g.id, eventFilterOf(p, q), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
  many: async (p, groups, q) => {
    const rows = await listGroupEventsOfMany(p.ctx.db, groups.map((g) => g.id), eventFilterOf(p, q), direction(q, 'desc'), q.limit);
    return byParent(groups.map((g) => g.id), rows, (e) => e.group_id);
  },
};

/** `/community/events`: the events of every group in the caller's scope. */
export const communityEventsEdge: EdgeSpec<unknown, EventRow> = {
  target: 'event',
  authorize: (p) => authorize(p.actor, 'group.feed.read'),
  position,
  params: LIST_PARAMS,
  page: (p, _c, q) => listEvents(p.ctx.db, scopeIds(p), eventFilterOf(p, q), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
  many: async (p, communities, q) => {
    const { rows } = await listEvents(p.ctx.db, scopeIds(p), eventFilterOf(p, q), { limit: q.limit + 1, order: direction(q, 'desc') });
    return communities.map(() => rows);
  },
};

const MEMBER_TYPES: Record<string, MemberEventType> = { ATTENDING: 'attending', CREATED: 'created', DECLINED: 'declined', MAYBE: 'maybe', UNSURE: 'maybe', INTERESTED: 'interested', NOT_REPLIED: 'not_replied' };

function memberTypeOf(q: EdgeQuery): MemberEventType {
  if (!q.type) return 'attending';
  const type = Object.hasOwn(MEMBER_TYPES, q.type) ? MEMBER_TYPES[q.type] : undefined;
  if (!type) throw invalidParameter('Param type must be one of attending, created, declined, maybe, interested, not_replied');
  return type;
}

/** `/{member}/events?type=attending|created|declined|maybe|not_replied` (attending by default), in the caller's group scope. */
export const memberEventsEdge: EdgeSpec<MemberRow, EventRow> = {
  target: 'event',
  authorize: (p) => authorize(p.actor, 'member.events.read'),
  position,
  params: LIST_PARAMS,
  page: (p, m, q) => listMemberEvents(p.ctx.db, m.id, memberTypeOf(q), scopeIds(p), eventFilterOf(p, q, false), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
  many: async (p, members, q) => {
    const rows = await listMemberEventsOfMany(p.ctx.db, members.map((m) => m.id), memberTypeOf(q), scopeIds(p), eventFilterOf(p, q, false), direction(q, 'desc'), q.limit);
    return byParent(members.map((m) => m.id), rows, (e) => e.for_member);
  },
};
