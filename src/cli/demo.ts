import type { Context } from '../context.js';
import { updateMember } from '../db/repositories/member.js';
import type { Actor } from '../domain/actor.js';
import { commentCreator } from '../domain/commands/comment.js';
import { groupCreator } from '../domain/commands/group.js';
import { groupMemberAdder } from '../domain/commands/groupMembership.js';
import { memberCreator } from '../domain/commands/member.js';
import { postCreator } from '../domain/commands/post.js';
import { REACTION_TYPES, reactionSetter } from '../domain/commands/reaction.js';
import { seenRecorder } from '../domain/commands/seen.js';
import type { MemberRow } from '../db/repositories/member.js';

const FIRST = ['Ada', 'Bea', 'Cai', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kim', 'Lea', 'Mo', 'Nia', 'Oli', 'Pia', 'Quin', 'Rae', 'Sam', 'Tao', 'Uma', 'Vik', 'Wen', 'Xia', 'Yan', 'Zoe'];
const LAST = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Silva', 'Novak', 'Haddad', 'Kowalski', 'Osei', 'Fischer', 'Rossi', 'Nguyen', 'Patel', 'Murphy', 'Jensen', 'Costa'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'People', 'Operations', 'Marketing', 'Legal'];
const TITLES = ['Engineer', 'Senior Engineer', 'Account Executive', 'Support Specialist', 'Analyst', 'Designer', 'Coordinator', 'Counsel'];
const GROUPS = [
  ['All Hands', 'Company-wide announcements', 'WORK_ANNOUNCEMENT', 'OPEN'],
  ['Engineering', 'Builds, incidents and design reviews', 'WORK_TEAMWORK', 'CLOSED'],
  ['Sales Wins', 'Deals closed and lessons learned', 'WORK_FEEDBACK', 'OPEN'],
  ['Support Escalations', 'Customer issues that need a second pair of eyes', 'WORK_TEAMWORK', 'CLOSED'],
  ['Office Berlin', 'Everything about the Berlin office', 'WORK_SOCIAL', 'OPEN'],
  ['Office Lisbon', 'Everything about the Lisbon office', 'WORK_SOCIAL', 'OPEN'],
  ['Security Council', 'Security reviews and policies', 'WORK_TEAMWORK', 'SECRET'],
  ['Book Club', 'What we are reading', 'WORK_SOCIAL', 'OPEN'],
  ['Product Feedback', 'Ideas and feedback from everyone', 'WORK_FEEDBACK', 'OPEN'],
  ['Onboarding', 'Welcome new colleagues', 'WORK_TEAMWORK', 'CLOSED'],
] as const;
const OPENERS = ['Quick update:', 'Heads up:', 'Good news!', 'Question for the group:', 'Reminder:', 'FYI', 'Shout-out:', 'Weekly notes:'];
const TOPICS = [
  'the release train leaves on Thursday',
  'the customer survey results are in',
  'we moved the stand-up to 9:30',
  'the new onboarding checklist is live',
  'Q3 planning docs need comments by Friday',
  'the coffee machine on floor 2 is fixed',
  'the incident review is scheduled for Monday',
  'we hit our support SLA for the fourth week in a row',
  'lunch & learn on accessibility next Wednesday',
  'please update your emergency contacts',
];
const REPLIES = ['Thanks for sharing!', 'Great work, team.', 'Can we discuss this in the next sync?', '+1', 'Where can I find the doc?', 'Congrats!', 'Noted, thanks.', 'Love this.'];

/** A deterministic pseudo-random sequence, so two seeds of an empty community look alike. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface SeedSize {
  members: number;
  groups: number;
  posts: number;
}

/** Fills the community through the same commands the API uses (audit and outbox included). */
export async function seedDemo(ctx: Context, size: SeedSize) {
  const random = rng(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const system: Actor = { kind: 'system' };
  const stamp = Date.now().toString(36);
  let comments = 0;
  let reactions = 0;
  return ctx.db.transaction().execute(async (trx) => {
    const write = (actor: Actor) => ({ ctx, actor, trx });
    const members: MemberRow[] = [];
    for (let i = 0; i < size.members; i++) {
      const first = FIRST[i % FIRST.length];
      const last = LAST[Math.floor(i / FIRST.length + i) % LAST.length];
      const manager = i === 0 ? undefined : members[Math.floor(random() * Math.min(i, Math.max(1, Math.ceil(i / 4))))];
      members.push(
        await memberCreator(write(system), {
          email: `${first}.${last}.${i}.${stamp}@example.com`.toLowerCase(),
          name: `${first} ${last}`,
          title: i === 0 ? 'Chief Executive Officer' : pick(TITLES),
          department: pick(DEPARTMENTS),
          division: random() > 0.5 ? 'EMEA' : 'Americas',
          organization: 'Commonplace Demo Inc.',
          employee_number: String(1000 + i),
          locale: random() > 0.7 ? 'de_DE' : 'en_US',
          manager_id: manager?.id,
          state: 'claimed',
        }),
      );
    }
    const groups = [];
    for (let g = 0; g < size.groups; g++) {
      const [name, description, purpose, privacy] = GROUPS[g % GROUPS.length];
      const owner = members[g % members.length];
      const group = await groupCreator(write(system), { name: g < GROUPS.length ? name : `${name} ${Math.floor(g / GROUPS.length) + 1}`, description, purpose, privacy, adminId: owner.id });
      groups.push(group);
      for (const m of members) if (m.id !== owner.id && random() < 0.45) await groupMemberAdder(write(system), group, m.id, random() < 0.05 ? 'moderator' : 'member');
    }
    const start = ctx.clock.now() - size.posts * 3_600_000;
    for (let i = 0; i < size.posts; i++) {
      const author = pick(members);
      const group = pick(groups);
      const actor: Actor = { kind: 'member', memberId: author.id, isAdmin: false };
      const post = await postCreator(
        { ctx: { ...ctx, clock: { now: () => start + i * 3_600_000 } }, actor, trx },
        { feedId: group.id, feedType: 'group', message: `${pick(OPENERS)} ${pick(TOPICS)}${random() < 0.2 ? ` @[${pick(members).id}]` : ''} (#${i + 1})`, formatting: random() < 0.3 ? 'MARKDOWN' : 'PLAINTEXT' },
      );
      const commentCount = Math.floor(random() * 4);
      for (let c = 0; c < commentCount; c++) {
        const commenter = pick(members);
        await commentCreator(write({ kind: 'member', memberId: commenter.id, isAdmin: false }), { post, message: pick(REPLIES) });
        comments++;
      }
      const reactionCount = Math.floor(random() * 6);
      for (let r = 0; r < reactionCount; r++) {
        const reactor = pick(members);
        if (await reactionSetter(write({ kind: 'member', memberId: reactor.id, isAdmin: false }), { id: post.id, type: 'post' }, random() < 0.7 ? 'LIKE' : pick(REACTION_TYPES))) reactions++;
      }
      for (let s = 0; s < 3; s++) await seenRecorder(write({ kind: 'member', memberId: pick(members).id, isAdmin: false }), post, pick(members).id);
    }
    await updateMember(trx, members[0].id, { title: 'Chief Executive Officer' });
    return { members: members.length, groups: groups.length, posts: size.posts, comments, reactions };
  });
}
