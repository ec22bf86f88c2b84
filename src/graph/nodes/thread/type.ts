import {
  countMessages,
  latestMessages,
  listMessages,
  listMessagesOfMany,
  type ChatMessageRow,
  sendersOf,
  unreadCounts,
} from '../../../db/repositories/chat.js';
import { activeParticipants, threadWireId, type ThreadState } from '../../../domain/commands/chat.js';
import { allowed } from '../../../policies/graph.js';
import { authorizeThreadMessages, chatIdentity } from '../../../policies/chat.js';
import type { EdgeQuery, NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { chatProfileObject } from '../message/type.js';
import { loadProfiles, type ProfileRow } from '../profile/type.js';
import { byParent, direction } from '../shared.js';

/** `.source(PARTICIPANTS)` / `source=PARTICIPANTS` leaves out system lines; `user=` keeps one sender. */
function messageFilter(q: EdgeQuery) {
  const source = q.extra?.source?.toUpperCase();
  return { participantsOnly: source === 'PARTICIPANTS', senderId: q.extra?.user, since: q.since, until: q.until };
}

async function profilesOf(p: Presentation, ids: string[]) {
  const profiles = await loadProfiles(p, [...new Set(ids)]);
  return ids.flatMap((id) => (profiles.get(id) ? [chatProfileObject(profiles.get(id)!, p)] : []));
}

const mine = (p: Presentation, s: ThreadState) => s.participants.find((x) => x.profile_id === chatIdentity(p.actor) && x.left_time === null);

/** A Work Chat thread (`t_{id}`): 1:1 or group, between members and bot pages. */
export const threadType: NodeType<ThreadState> = {
  name: 'Thread',
  defaults: ['id', 'updated_time'],
  id: (s) => threadWireId(s.thread),
  fields: {
    id: { kind: 'scalar', get: (s) => threadWireId(s.thread) },
    name: { kind: 'scalar', get: (s) => s.thread.name ?? undefined },
    subject: { kind: 'scalar', get: (s) => s.thread.name ?? undefined },
    link: { kind: 'scalar', get: (s, p) => `${p.publicBase}/chat/${threadWireId(s.thread)}` },
    updated_time: { kind: 'scalar', get: (s) => graphTime(s.thread.updated_time) },
    is_group: { kind: 'scalar', get: (s) => s.thread.kind === 'group' },
    is_subscribed: { kind: 'scalar', get: () => true },
    tags: { kind: 'scalar', get: (s) => ({ data: [{ name: s.thread.kind === 'group' ? 'group' : 'inbox' }] }) },
    can_reply: {
      kind: 'scalar',
      get: (s, p) => {
        if (!mine(p, s)) return false;
        if (p.actor.kind !== 'integration' && p.actor.kind !== 'app') return true;
        return allowed(p.actor, 'chat.send') && (s.thread.kind === 'one_to_one' || allowed(p.actor, 'chat.group'));
      },
    },
    message_count: {
      kind: 'batch',
      load: async (p, states) => {
        const counts = await countMessages(p.ctx.db, states.map((s) => s.thread.id), { participantsOnly: true });
        return states.map((s) => counts.get(s.thread.id) ?? 0);
      },
    },
    unread_count: {
      kind: 'batch',
      load: async (p, states) => {
        const me = chatIdentity(p.actor);
        const counts = me ? await unreadCounts(p.ctx.db, me, states.map((s) => s.thread.id)) : new Map<string, number>();
        return states.map((s) => (mine(p, s) ? counts.get(s.thread.id) ?? 0 : 0));
      },
    },
    unseen_count: {
      kind: 'batch',
      load: async (p, states) => {
        const me = chatIdentity(p.actor);
        const counts = me ? await unreadCounts(p.ctx.db, me, states.map((s) => s.thread.id)) : new Map<string, number>();
        return states.map((s) => (mine(p, s) ? counts.get(s.thread.id) ?? 0 : 0));
      },
    },
    snippet: {
      kind: 'batch',
      load: async (p, states) => {
        const latest = await latestMessages(p.ctx.db, states.map((s) => s.thread.id));
        return states.map((s) => latest.get(s.thread.id)?.text ?? undefined);
      },
    },
    former_participants: {
      kind: 'batch',
      load: async (p, states) => Promise.all(states.map(async (s) => ({ data: await profilesOf(p, s.participants.filter((x) => x.left_time !== null).map((x) => x.profile_id)) }))),
    },
    senders: {
      kind: 'batch',
      load: async (p, states) => {
        const rows = await sendersOf(p.ctx.db, states.map((s) => s.thread.id));
        return Promise.all(states.map(async (s) => ({ data: await profilesOf(p, rows.filter((r) => r.thread_id === s.thread.id).map((r) => r.sender_id)) })));
      },
    },
  },
  edges: {
    participants: {
      target: 'profile',
      position: (r: ProfileRow) => ({ sort: 0, id: r.kind === 'member' ? r.member.id : r.page.id }),
      page: async (p, s) => {
        const profiles = await loadProfiles(p, activeParticipants(s).map((x) => x.profile_id));
        return { rows: activeParticipants(s).flatMap((x) => (profiles.get(x.profile_id) ? [profiles.get(x.profile_id)!] : [])), hasNext: false, hasPrevious: false };
      },
      many: async (p, states) => {
        const profiles = await loadProfiles(p, [...new Set(states.flatMap((s) => activeParticipants(s).map((x) => x.profile_id)))]);
        return states.map((s) => activeParticipants(s).flatMap((x) => (profiles.get(x.profile_id) ? [profiles.get(x.profile_id)!] : [])));
      },
    },
    messages: {
      target: 'message',
      defaultOrder: 'reverse_chronological',
      params: ['source', 'user'],
      authorize: (p, s) => authorizeThreadMessages(p.actor, s, threadWireId(s.thread)),
      position: (m: ChatMessageRow) => ({ sort: m.created_time, id: m.id }),
      page: (p, s, q) => listMessages(p.ctx.db, s.thread.id, messageFilter(q), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
      many: async (p, states, q) => {
        const rows = await listMessagesOfMany(p.ctx.db, states.map((s) => s.thread.id), messageFilter(q), direction(q, 'desc'), q.limit);
        return byParent(states.map((s) => s.thread.id), rows, (r) => r.thread_id);
      },
      summary: async (p, states, q) => {
        const counts = await countMessages(p.ctx.db, states.map((s) => s.thread.id), messageFilter(q));
        return states.map((s) => ({ total_count: counts.get(s.thread.id) ?? 0 }));
      },
    },
  },
};
