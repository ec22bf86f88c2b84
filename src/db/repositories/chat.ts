import { sql } from 'kysely';
import type { Db } from '../database.js';
import { keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { ChatFileTable, ChatMessageTable, ChatParticipantTable, ChatThreadTable, MessengerProfileTable } from '../webhooksChatSchema.js';

export type ThreadRow = ChatThreadTable;
export type ParticipantRow = ChatParticipantTable;
export type ChatMessageRow = ChatMessageTable;
export type ChatFileRow = ChatFileTable;
export type MessengerProfileRow = MessengerProfileTable;

// Threads

export async function insertThread(db: Db, row: ThreadRow): Promise<void> {
  await db.insertInto('chat_thread').values(row).execute();
}

export async function findThreadById(db: Db, id: string): Promise<ThreadRow | undefined> {
  return db.selectFrom('chat_thread').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPairThread(db: Db, pairKey: string): Promise<ThreadRow | undefined> {
  return db.selectFrom('chat_thread').selectAll().where('pair_key', '=', pairKey).executeTakeFirst();
}

export async function updateThread(db: Db, id: string, changes: Partial<ThreadRow>): Promise<void> {
  await db.updateTable('chat_thread').set(changes).where('id', '=', id).execute();
}

/** Threads a profile takes part in, most recently active first, keyset-paged on (updated_time, id). */
export async function listThreadsOf(db: Db, profileId: string, page: PageRequest): Promise<Page<ThreadRow>> {
  const q = db
    .selectFrom('chat_thread')
    .selectAll('chat_thread')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('chat_participant')
          .select('chat_participant.thread_id')
          .whereRef('chat_participant.thread_id', '=', 'chat_thread.id')
          .where('chat_participant.profile_id', '=', profileId)
          .where('chat_participant.left_time', 'is', null),
      ),
    );
  return keysetPage(q, { sort: 'chat_thread.updated_time', id: 'chat_thread.id' }, page);
}

// Participants

export async function insertParticipants(db: Db, rows: readonly ParticipantRow[]): Promise<void> {
  if (rows.length) await db.insertInto('chat_participant').values([...rows]).execute();
}

/** Participants of threads, current and former, in join order. */
export async function participantsOf(db: Db, threadIds: readonly string[]): Promise<ParticipantRow[]> {
  if (threadIds.length === 0) return [];
  return db.selectFrom('chat_participant').selectAll().where('thread_id', 'in', [...new Set(threadIds)]).orderBy('joined_time').orderBy('profile_id').execute();
}

export async function updateParticipant(db: Db, threadId: string, profileId: string, changes: Partial<ParticipantRow>): Promise<void> {
  await db.updateTable('chat_participant').set(changes).where('thread_id', '=', threadId).where('profile_id', '=', profileId).execute();
}

// Messages

export async function insertMessage(db: Db, row: ChatMessageRow): Promise<void> {
  await db.insertInto('chat_message').values(row).execute();
}

/** Deletes one message (compliance): it leaves its thread for every participant. */
export async function deleteMessage(db: Db, id: string): Promise<void> {
  await db.deleteFrom('link_preview').where('object_type', '=', 'message').where('object_id', '=', id).execute();
  await db.deleteFrom('chat_message').where('id', '=', id).execute();
}

export async function findMessagesByIds(db: Db, ids: readonly string[]): Promise<ChatMessageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('chat_message').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export interface MessageFilter {
  /** Only what participants wrote (no system messages). */
  participantsOnly?: boolean;
  senderId?: string;
  since?: number;
  until?: number;
}

function filtered(db: Db, threadIds: readonly string[], filter: MessageFilter) {
  let q = db.selectFrom('chat_message').selectAll().where('thread_id', 'in', threadIds.length ? [...threadIds] : ['']);
  if (filter.participantsOnly) q = q.where('source', '=', 'message');
  if (filter.senderId) q = q.where('sender_id', '=', filter.senderId);
  if (filter.since !== undefined) q = q.where('created_time', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('created_time', '<=', filter.until);
  return q;
}

/** Messages of a thread, keyset-paged on (created_time, id). */
export async function listMessages(db: Db, threadId: string, filter: MessageFilter, page: PageRequest): Promise<Page<ChatMessageRow>> {
  return keysetPage(filtered(db, [threadId], filter), { sort: 'created_time', id: 'id' }, page);
}

/** The first `limit + 1` messages of each thread (nested edges). */
export async function listMessagesOfMany(db: Db, threadIds: readonly string[], filter: MessageFilter, order: 'asc' | 'desc', limit: number): Promise<ChatMessageRow[]> {
  if (threadIds.length === 0) return [];
  const inner = filtered(db, threadIds, filter).select(sql<number>`row_number() over (partition by thread_id order by created_time ${sql.raw(order)}, id ${sql.raw(order)})`.as('rn'));
  const rows = await db.selectFrom(inner.as('m')).selectAll().where('rn', '<=', limit + 1).orderBy('thread_id').orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row as ChatMessageRow);
}

export async function countMessages(db: Db, threadIds: readonly string[], filter: MessageFilter = {}): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await filtered(db, threadIds, filter)
    .clearSelect()
    .select(['thread_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('thread_id')
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.n)]));
}

/** Messages written to a thread by `senderIds` in (after, upTo]: what a watermark move covers. */
export async function messagesBetween(db: Db, threadId: string, senderIds: readonly string[], after: number, upTo: number): Promise<ChatMessageRow[]> {
  if (senderIds.length === 0) return [];
  return db
    .selectFrom('chat_message')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('sender_id', 'in', [...senderIds])
    .where('source', '=', 'message')
    .where('created_time', '>', after)
    .where('created_time', '<=', upTo)
    .orderBy('created_time')
    .orderBy('id')
    .execute();
}

/** The newest message of each thread (snippets). */
export async function latestMessages(db: Db, threadIds: readonly string[]): Promise<Map<string, ChatMessageRow>> {
  const rows = await listMessagesOfMany(db, threadIds, { participantsOnly: true }, 'desc', 0);
  return new Map(rows.map((r) => [r.thread_id, r]));
}

/** Unread messages per thread for one profile: others' messages after its read watermark. */
export async function unreadCounts(db: Db, profileId: string, threadIds: readonly string[]): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('chat_message as m')
    .innerJoin('chat_participant as p', (join) => join.onRef('p.thread_id', '=', 'm.thread_id').on('p.profile_id', '=', profileId))
    .select(['m.thread_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('m.thread_id', 'in', [...new Set(threadIds)])
    .where('m.source', '=', 'message')
    .where('m.sender_id', '!=', profileId)
    .where((eb) => eb('m.created_time', '>', eb.fn.coalesce('p.read_watermark', sql<number>`0`)))
    .groupBy('m.thread_id')
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.n)]));
}

/** Profiles that wrote in each thread. */
export async function sendersOf(db: Db, threadIds: readonly string[]): Promise<{ thread_id: string; sender_id: string }[]> {
  if (threadIds.length === 0) return [];
  return db
    .selectFrom('chat_message')
    .select(['thread_id', 'sender_id'])
    .distinct()
    .where('thread_id', 'in', [...new Set(threadIds)])
    .where('source', '=', 'message')
    .execute();
}

// Files

export async function insertChatFile(db: Db, row: ChatFileRow): Promise<void> {
  await db.insertInto('chat_file').values(row).execute();
}

export async function findChatFilesByIds(db: Db, ids: readonly string[]): Promise<ChatFileRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('chat_file').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

// Messenger profiles

export async function findMessengerProfiles(db: Db, pageIds: readonly string[]): Promise<Map<string, MessengerProfileRow>> {
  if (pageIds.length === 0) return new Map();
  const rows = await db.selectFrom('messenger_profile').selectAll().where('page_id', 'in', [...new Set(pageIds)]).execute();
  return new Map(rows.map((r) => [r.page_id, r]));
}

export async function upsertMessengerProfile(db: Db, row: MessengerProfileRow): Promise<void> {
  await db
    .insertInto('messenger_profile')
    .values(row)
    .onConflict((oc) => oc.column('page_id').doUpdateSet({ greeting: row.greeting, get_started: row.get_started, persistent_menu: row.persistent_menu, updated_time: row.updated_time }))
    .execute();
}
