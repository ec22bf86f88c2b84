import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import type { RsvpStatus } from '../db/eventsSchema.js';
import { findCalendarFeed, listCalendarFeeds, touchCalendarFeed } from '../db/repositories/calendarFeed.js';
import { findGroupById, findGroupsByIds, findMembership, type GroupRow } from '../db/repositories/group.js';
import { countNoReply, countRsvps, type EventRow, findEventsByIds, listCalendarEvents, listGroupEvents, rsvpsOf } from '../db/repositories/groupEvent.js';
import { findMemberById, findMembersByIds } from '../db/repositories/member.js';
import type { MemberActor } from '../domain/actor.js';
import { calendarFeedCreator, calendarFeedRevoker } from '../domain/commands/calendarFeed.js';
import { eventCreator, eventDeleter, eventUpdater, type EventInput, RSVP_STATUSES, rsvpSetter } from '../domain/commands/groupEvent.js';
import type { Write } from '../domain/commands/shared.js';
import { safeEqual, sha256Hex } from '../domain/secrets.js';
import { AppError, invalidParameter } from '../errors.js';
import { parseGraphTime } from '../graph/time.js';
import { webErrorHandler } from '../http/webErrors.js';
import { queryInteger, timeCursor, webQuery } from '../http/query.js';
import { authorizeMember, type GroupAccess, memberMay } from '../policies/member.js';
import { icalendarOf } from '../presenters/icalendar.js';
import type { MemberAuth } from './routes.js';

// The member app's events under /api (a group's events, create, edit, cancel, RSVP) and the
// calendar feeds: signed links to an iCalendar document of a member's or a group's events, which
// calendar apps poll without a session. The writes go through the same commands as the Graph API.

type Body = Record<string, unknown>;
const bodyOf = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
const param = (request: FastifyRequest, name = 'id') => (request.params as Record<string, string>)[name];
const numeric = (id: string | undefined) => !!id && /^\d{1,20}$/.test(id);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const noSuchEvent = () => new AppError('unknown_object', 'No such event');
/** How far back a calendar feed reaches; everything ahead is in it. */
const FEED_PAST_MS = 90 * 86_400_000;
const FEED_MAX_EVENTS = 2000;

function inputOf(b: Body, now: number): EventInput & { is_canceled?: boolean } {
  const text = (name: string) => {
    const v = b[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalidParameter(`${name} must be a string`);
    return v;
  };
  const bool = (name: string) => {
    const v = b[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw invalidParameter(`${name} must be true or false`);
    return v;
  };
  const time = (name: string) => {
    const v = text(name);
    return v === undefined || v === '' ? undefined : parseGraphTime(v, now, name);
  };
  const end = text('end_time');
  return {
    name: text('name'),
    description: text('description'),
    start_time: time('start_time'),
    end_time: end === undefined ? undefined : end === '' ? null : time('end_time'),
    timezone: text('timezone'),
    place: text('place'),
    is_canceled: bool('is_canceled'),
    guest_list_enabled: bool('guest_list_enabled'),
  };
}

export async function registerMemberEventsApi(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => ctx.db.transaction().execute((trx) => fn({ ctx, actor, trx }));
  const access = async (memberId: string, groupId: string | undefined | null): Promise<GroupAccess & { group: GroupRow }> => {
    const group = groupId && numeric(groupId) ? await findGroupById(ctx.db, groupId) : undefined;
    if (!group) throw new AppError('unknown_object', 'No such group');
    return { group, role: (await findMembership(ctx.db, group.id, memberId))?.role ?? null };
  };
  const loadEvent = async (memberId: string, id: string) => {
    const [event] = numeric(id) ? await findEventsByIds(ctx.db, [id]) : [];
    if (!event || (event.is_draft && event.owner_id !== memberId)) throw noSuchEvent();
    const a = await access(memberId, event.group_id);
    if (!memberMay(a, 'read')) throw noSuchEvent();
    return { event, access: a };
  };
  const present = async (memberId: string, events: EventRow[], roles: Map<string, GroupAccess>) => {
    const ids = events.map((e) => e.id);
    const [counts, noreply, mine, owners] = await Promise.all([countRsvps(ctx.db, ids), countNoReply(ctx.db, events), rsvpsOf(ctx.db, ids, memberId), findMembersByIds(ctx.db, events.map((e) => e.owner_id))]);
    const ownerName = new Map(owners.map((m) => [m.id, m.name]));
    return events.map((e) => ({
      id: e.id,
      group_id: e.group_id,
      name: e.name,
      description: e.description,
      start_time: iso(e.start_time),
      end_time: iso(e.end_time),
      timezone: e.timezone,
      place: e.place,
      is_canceled: e.is_canceled === 1,
      owner: { id: e.owner_id, name: ownerName.get(e.owner_id) ?? null },
      counts: Object.fromEntries([...RSVP_STATUSES.map((s) => [s, counts.get(e.id)?.[s] ?? 0]), ['noreply', noreply.get(e.id) ?? 0]]),
      my_rsvp: mine.get(e.id) ?? null,
      can_edit: e.owner_id === memberId || memberMay(roles.get(e.group_id) ?? { group: { privacy: 'SECRET' } as GroupRow, role: null }, 'moderate'),
    }));
  };
  const feedUrl = (request: FastifyRequest, id: string, secret: string) => `${ctx.config.publicUrl ?? `${request.protocol}://${request.host}`}/calendar/${id}/${secret}.ics`;

  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('member api'));

      api.get('/groups/:id/events', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, param(request));
        authorizeMember(a, 'read');
        const q = webQuery(request);
        const limit = queryInteger(q, 'limit', { min: 1, max: 50, fallback: 20 });
        const after = timeCursor(q, 'after');
        const upcoming = q.when !== 'past';
        const page = await listGroupEvents(
          ctx.db,
          a.group.id,
          { includeCanceled: true, draftsOf: member.id, time: { filter: upcoming ? 'upcoming' : 'past', now: ctx.clock.now() } },
          { limit, order: upcoming ? 'asc' : 'desc', after: after ? { sort: after.time, id: after.id } : undefined },
        );
        const last = page.rows[page.rows.length - 1];
        return { data: await present(member.id, page.rows, new Map([[a.group.id, a]])), next: page.hasNext && last ? `${last.start_time}_${last.id}` : null };
      });
      api.post('/groups/:id/events', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, param(request));
        authorizeMember(a, 'post');
        const { is_canceled: _ignored, ...input } = inputOf(bodyOf(request), ctx.clock.now());
        const event = await write(actor, (w) => eventCreator(w, a.group, input));
        return (await present(member.id, [event], new Map([[a.group.id, a]])))[0];
      });
      api.post('/events/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const { event, access: a } = await loadEvent(member.id, param(request));
        if (event.owner_id !== member.id && !memberMay(a, 'moderate')) throw new AppError('action_not_allowed', 'Only the host and group admins change an event');
        await write(actor, (w) => eventUpdater(w, event, inputOf(bodyOf(request), ctx.clock.now())));
        const [fresh] = await findEventsByIds(ctx.db, [event.id]);
        return (await present(member.id, [fresh], new Map([[a.group.id, a]])))[0];
      });
      api.delete('/events/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const { event, access: a } = await loadEvent(member.id, param(request));
        if (event.owner_id !== member.id && !memberMay(a, 'moderate')) throw new AppError('action_not_allowed', 'Only the host and group admins delete an event');
        await write(actor, (w) => eventDeleter(w, event));
        return { success: true };
      });
      api.post('/events/:id/rsvp', async (request) => {
        const { actor, member } = await auth.member(request);
        const { event, access: a } = await loadEvent(member.id, param(request));
        authorizeMember(a, 'interact');
        const raw = bodyOf(request).rsvp_status;
        if (raw !== null && !(typeof raw === 'string' && (RSVP_STATUSES as readonly string[]).includes(raw))) throw invalidParameter(`rsvp_status must be one of ${RSVP_STATUSES.join(', ')}, or null`);
        await write(actor, (w) => rsvpSetter(w, event, raw as RsvpStatus | null));
        const [fresh] = await findEventsByIds(ctx.db, [event.id]);
        return (await present(member.id, [fresh], new Map([[a.group.id, a]])))[0];
      });

      // Calendar feeds: the link is shown once, when it is made (or rotated).
      api.get('/calendar-feeds', async (request) => {
        const { member } = await auth.member(request);
        const feeds = await listCalendarFeeds(ctx.db, member.id);
        const groups = new Map((await findGroupsByIds(ctx.db, feeds.flatMap((f) => (f.group_id ? [f.group_id] : [])))).map((g) => [g.id, g.name]));
        return { data: feeds.map((f) => ({ id: f.id, group: f.group_id ? { id: f.group_id, name: groups.get(f.group_id) ?? null } : null, created_time: iso(f.created_time), last_used_time: iso(f.last_used_time) })) };
      });
      api.post('/calendar-feeds', async (request) => {
        const { actor, member } = await auth.member(request);
        const groupId = bodyOf(request).group_id;
        if (groupId !== undefined && groupId !== null && typeof groupId !== 'string') throw invalidParameter('group_id must be a string');
        if (groupId) authorizeMember(await access(member.id, groupId), 'read');
        const { feed, secret } = await write(actor, (w) => calendarFeedCreator(w, member.id, groupId || null));
        return { id: feed.id, url: feedUrl(request, feed.id, secret), created_time: iso(feed.created_time) };
      });
      api.delete('/calendar-feeds/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const id = param(request);
        const feed = numeric(id) ? await findCalendarFeed(ctx.db, id) : undefined;
        if (!feed || feed.member_id !== member.id) throw new AppError('unknown_object', 'No such calendar feed');
        await write(actor, (w) => calendarFeedRevoker(w, feed));
        return { success: true };
      });
    },
    { prefix: '/api' },
  );

  // GET /calendar/{feed}/{secret}.ics: no session; the secret in the link is the credential.
  app.get('/calendar/:id/:file', async (request, reply) => {
    const id = param(request);
    const match = /^([A-Za-z0-9_-]{20,100})\.ics$/.exec(param(request, 'file'));
    const feed = numeric(id) && match ? await findCalendarFeed(ctx.db, id) : undefined;
    const member = feed ? await findMemberById(ctx.db, feed.member_id) : undefined;
    if (!feed || !match || !safeEqual(sha256Hex(match[1]), feed.token_hash) || !member || member.state === 'deactivated') {
      return reply.code(404).type('text/plain; charset=utf-8').send('No such calendar feed (the link may have been revoked or rotated)\n');
    }
    const now = ctx.clock.now();
    let name = `${member.name}: events`;
    let events = await listCalendarEvents(ctx.db, member.id, feed.group_id, now - FEED_PAST_MS, FEED_MAX_EVENTS);
    if (feed.group_id) {
      const a = await access(member.id, feed.group_id).catch(() => null);
      if (!a || !memberMay(a, 'read')) events = [];
      else name = `${a.group.name}: events`;
    } else {
      // Answers to events of groups the member can no longer read drop out.
      const groups = new Map((await findGroupsByIds(ctx.db, [...new Set(events.map((e) => e.group_id))])).map((g) => [g.id, g]));
      const readable = new Set<string>();
      for (const g of groups.values()) if (memberMay({ group: g, role: (await findMembership(ctx.db, g.id, member.id))?.role ?? null }, 'read')) readable.add(g.id);
      events = events.filter((e) => readable.has(e.group_id));
    }
    await touchCalendarFeed(ctx.db, feed.id, now);
    const publicBase = ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
    return reply
      .header('cache-control', 'private, max-age=300')
      .type('text/calendar; charset=utf-8')
      .send(icalendarOf(events, { publicBase, name, now }));
  });
}
