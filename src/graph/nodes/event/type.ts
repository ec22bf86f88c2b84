import type { RsvpStatus } from '../../../db/eventsSchema.js';
import { findGroupsByIds } from '../../../db/repositories/group.js';
import {
  countNoReply,
  countRsvps,
  type EventRow,
  listNoReply,
  listNoReplyOfMany,
  listRsvps,
  listRsvpsOfMany,
  rsvpsOf,
} from '../../../db/repositories/groupEvent.js';
import { authorOf } from '../../../domain/actor.js';
import { allowed, authorize } from '../../../policies/graph.js';
import type { EdgeSpec, FieldSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime, zonedGraphTime } from '../../time.js';
import { loadProfiles, type ProfileRow, profileId, profileType } from '../profile/type.js';
import { byParent, direction } from '../shared.js';

/** A profile on an event's guest list, with its answer (`rsvp_status`) or its role. */
export type GuestRow = { profile: ProfileRow; rsvp_status?: string; role?: string; time: number };

/** Graph's `rsvp_status` spelling of each answer. */
const RSVP_WIRE: Record<RsvpStatus | 'noreply', string> = { attending: 'attending', declined: 'declined', maybe: 'unsure', interested: 'interested', noreply: 'not_replied' };

function onProfile(spec: FieldSpec<ProfileRow>): FieldSpec<GuestRow> {
  if (spec.kind === 'scalar') return { ...spec, get: (r, p) => spec.get(r.profile, p) };
  if (spec.kind === 'batch') return { ...spec, load: (p: Presentation, rows: GuestRow[]) => spec.load(p, rows.map((r) => r.profile)) };
  return { ...spec, key: (r) => spec.key(r.profile) };
}

export const eventGuestType: NodeType<GuestRow> = {
  name: 'EventGuest',
  defaults: ['name', 'id', 'rsvp_status'],
  id: (r) => profileId(r.profile),
  fields: {
    ...Object.fromEntries(Object.entries(profileType.fields).map(([name, spec]) => [name, onProfile(spec)])),
    rsvp_status: { kind: 'scalar', get: (r) => r.rsvp_status },
    role: { kind: 'scalar', get: (r) => r.role },
  },
  edges: {},
};

/** The group rule of reading an event's content, and the owner/manager view of a hidden guest list. */
const readEvent = (p: Presentation, e: EventRow) => authorize(p.actor, 'group.feed.read', { groupId: e.group_id, id: e.id });
function seesGuests(p: Presentation, e: EventRow): boolean {
  if (e.guest_list_enabled) return true;
  const a = p.actor;
  if (a.kind === 'system') return true;
  if (a.kind === 'member') return a.isAdmin || a.memberId === e.owner_id;
  return a.pageId === e.owner_id || allowed(a, 'group.events.manage');
}

async function guests(p: Presentation, rows: { id: string; time: number }[], status: string): Promise<GuestRow[]> {
  const profiles = await loadProfiles(p, rows.map((r) => r.id));
  return rows.filter((r) => profiles.has(r.id)).map((r) => ({ profile: profiles.get(r.id)!, rsvp_status: status, time: r.time }));
}

function rsvpEdge(status: RsvpStatus): EdgeSpec<EventRow, GuestRow> {
  return {
    target: 'event_guest',
    authorize: readEvent,
    defaultOrder: 'chronological',
    position: (g) => ({ sort: g.time, id: profileId(g.profile) }),
    page: async (p, e, q) => {
      if (!seesGuests(p, e)) return { rows: [], hasNext: false, hasPrevious: false };
      const page = await listRsvps(p.ctx.db, e.id, status, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before });
      return { ...page, rows: await guests(p, page.rows.map((r) => ({ id: r.responder_id, time: r.time })), RSVP_WIRE[status]) };
    },
    many: async (p, events, q) => {
      const shown = events.filter((e) => seesGuests(p, e));
      const rows = await listRsvpsOfMany(p.ctx.db, shown.map((e) => e.id), status, direction(q, 'asc'), q.limit);
      const all = await guests(p, rows.map((r) => ({ id: r.responder_id, time: r.time })), RSVP_WIRE[status]);
      const byId = new Map(all.map((g) => [profileId(g.profile), g]));
      return byParent(events.map((e) => e.id), rows, (r) => r.event_id).map((list) => list.flatMap((r) => (byId.has(r.responder_id) ? [byId.get(r.responder_id)!] : [])));
    },
    summary: async (p, events) => {
      const counts = await countRsvps(p.ctx.db, events.map((e) => e.id));
      return events.map((e) => ({ count: counts.get(e.id)?.[status] ?? 0 }));
    },
  };
}

const noreplyEdge: EdgeSpec<EventRow, GuestRow> = {
  target: 'event_guest',
  authorize: readEvent,
  defaultOrder: 'chronological',
  position: (g) => ({ sort: g.time, id: profileId(g.profile) }),
  page: async (p, e, q) => {
    if (!seesGuests(p, e)) return { rows: [], hasNext: false, hasPrevious: false };
    const page = await listNoReply(p.ctx.db, e, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before });
    return { ...page, rows: await guests(p, page.rows.map((r) => ({ id: r.member_id, time: r.joined_time })), RSVP_WIRE.noreply) };
  },
  many: async (p, events, q) => {
    const rows = await listNoReplyOfMany(p.ctx.db, events.filter((e) => seesGuests(p, e)), direction(q, 'asc'), q.limit);
    const all = await guests(p, rows.map((r) => ({ id: r.member_id, time: r.joined_time })), RSVP_WIRE.noreply);
    const byId = new Map(all.map((g) => [profileId(g.profile), g]));
    return byParent(events.map((e) => e.id), rows, (r) => r.event_id).map((list) => list.flatMap((r) => (byId.has(r.member_id) ? [byId.get(r.member_id)!] : [])));
  },
  summary: async (p, events) => {
    const counts = await countNoReply(p.ctx.db, events);
    return events.map((e) => ({ count: counts.get(e.id) ?? 0 }));
  },
};

/** The owner as the event's one host (Commonplace has no co-hosts). */
function ownerEdge(role?: string): EdgeSpec<EventRow, GuestRow> {
  const load = async (p: Presentation, events: EventRow[]) => {
    const profiles = await loadProfiles(p, events.map((e) => e.owner_id));
    return events.map((e) => (profiles.has(e.owner_id) ? [{ profile: profiles.get(e.owner_id)!, role, time: e.created_time }] : []));
  };
  return {
    target: 'event_guest',
    authorize: readEvent,
    position: (g) => ({ sort: g.time, id: profileId(g.profile) }),
    page: async (p, e, q) => {
      const [rows] = await load(p, [e]);
      return { rows: q.after ? [] : rows, hasNext: false, hasPrevious: !!q.after };
    },
    many: load,
  };
}

function count(status: RsvpStatus): FieldSpec<EventRow> {
  return {
    kind: 'batch',
    load: async (p, events) => {
      const counts = await countRsvps(p.ctx.db, events.map((e) => e.id));
      return events.map((e) => counts.get(e.id)?.[status] ?? 0);
    },
  };
}

const times = (e: EventRow): { id: string; start_time: number; end_time: number | null }[] => JSON.parse(e.event_times);

/** Graph's Event (Workplace's reference fields, with Graph's event fields Workplace clients read). */
export const eventType: NodeType<EventRow> = {
  name: 'Event',
  defaults: ['description', 'end_time', 'name', 'place', 'start_time', 'id'],
  id: (e) => e.id,
  fields: {
    id: { kind: 'scalar', get: (e) => e.id },
    name: { kind: 'scalar', get: (e) => e.name },
    description: { kind: 'scalar', get: (e) => e.description ?? undefined },
    start_time: { kind: 'scalar', get: (e) => zonedGraphTime(e.start_time, e.timezone) },
    end_time: { kind: 'scalar', get: (e) => zonedGraphTime(e.end_time, e.timezone) },
    timezone: { kind: 'scalar', get: (e) => e.timezone },
    event_times: {
      kind: 'scalar',
      get: (e) => {
        const list = times(e);
        return list.length ? list.map((t) => ({ id: t.id, start_time: zonedGraphTime(t.start_time, e.timezone), end_time: zonedGraphTime(t.end_time, e.timezone) })) : undefined;
      },
    },
    place: { kind: 'scalar', get: (e) => (e.place ? { name: e.place } : undefined) },
    cover: { kind: 'scalar', get: (e) => (e.cover_url ? { id: `${e.id}_cover`, source: e.cover_url, offset_x: 0, offset_y: 0 } : undefined) },
    owner: { kind: 'ref', target: 'profile', key: (e) => e.owner_id, load: loadProfiles },
    parent_group: {
      kind: 'ref',
      target: 'group',
      key: (e) => e.group_id,
      load: async (p, ids) => new Map((await findGroupsByIds(p.ctx.db, ids)).map((g) => [g.id, g])),
    },
    is_canceled: { kind: 'scalar', get: (e) => e.is_canceled === 1 },
    is_draft: { kind: 'scalar', get: (e) => e.is_draft === 1 },
    is_page_owned: { kind: 'scalar', get: (e) => e.owner_type === 'page' },
    can_guests_invite: { kind: 'scalar', get: (e) => e.can_guests_invite === 1 },
    guest_list_enabled: { kind: 'scalar', get: (e) => e.guest_list_enabled === 1 },
    category: { kind: 'scalar', get: (e) => e.category ?? undefined },
    type: { kind: 'scalar', get: () => 'group' },
    updated_time: { kind: 'scalar', get: (e) => graphTime(e.updated_time) },
    attending_count: count('attending'),
    declined_count: count('declined'),
    interested_count: count('interested'),
    maybe_count: count('maybe'),
    noreply_count: {
      kind: 'batch',
      load: async (p, events) => {
        const counts = await countNoReply(p.ctx.db, events);
        return events.map((e) => counts.get(e.id) ?? 0);
      },
    },
    /** The caller's own answer (a bot page's, or the signed-in member's). */
    rsvp_status: {
      kind: 'batch',
      load: async (p, events) => {
        if (p.actor.kind === 'system') return events.map(() => undefined);
        const me = authorOf(p.actor).id;
        const mine = await rsvpsOf(p.ctx.db, events.map((e) => e.id), me);
        return events.map((e) => RSVP_WIRE[mine.get(e.id) ?? 'noreply']);
      },
    },
    permalink_url: { kind: 'scalar', get: (e, p) => `${p.publicBase}/groups/${e.group_id}/events/${e.id}` },
  },
  edges: {
    attending: rsvpEdge('attending'),
    declined: rsvpEdge('declined'),
    maybe: rsvpEdge('maybe'),
    interested: rsvpEdge('interested'),
    noreply: noreplyEdge,
    admins: ownerEdge(),
    roles: ownerEdge('HOST'),
  },
};
