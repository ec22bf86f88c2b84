import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import type { BusMessage } from '../db/bus.js';
import { listThreadsOf } from '../db/repositories/chat.js';
import { AppError } from '../errors.js';
import type { MemberAuth } from './routes.js';

const HEARTBEAT_MS = 15_000;

type Send = (event: string, data: unknown) => void;

/**
 * GET /api/events: a server-sent event stream for the signed-in member. It sends `ready`
 * ({"threads"}) once, then `thread` ({"thread_id","updated_time","last_message_id"}) whenever
 * one of their conversations gets a message or changes. Changes arrive on the bus from whichever
 * process committed them, so an open stream costs no queries while nothing happens. A member
 * may hold COMMONPLACE_STREAMS_PER_MEMBER streams per process.
 */
export async function registerMemberEvents(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  const streams = new Map<string, Set<Send>>();
  const open = new Set<() => void>();
  const unsubscribe = ctx.bus.subscribe((message: BusMessage) => {
    if (message.t !== 'thread') return;
    const data = { thread_id: `t_${message.thread}`, updated_time: new Date(message.updated).toISOString(), last_message_id: message.last ? `m_${message.last}` : null };
    for (const member of message.members) for (const send of streams.get(member) ?? []) send('thread', data);
  });
  app.addHook('onReady', async () => ctx.bus.listen());
  app.addHook('preClose', async () => {
    unsubscribe();
    for (const end of open) end();
  });

  app.get('/api/events', async (request, reply) => {
    const { member } = await auth.member(request);
    const mine = streams.get(member.id) ?? new Set<Send>();
    if (mine.size >= ctx.config.streamsPerMember) {
      throw new AppError('rate_limited', `At most ${ctx.config.streamsPerMember} event streams can be open at once; close one first.`, { retryAfter: 5 });
    }
    const threads = await listThreadsOf(ctx.db, member.id, { limit: 30, order: 'desc' });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send: Send = (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    mine.add(send);
    streams.set(member.id, mine);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    let stopped = false;
    const end = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      mine.delete(send);
      if (mine.size === 0) streams.delete(member.id);
      open.delete(end);
      res.end();
    };
    open.add(end);
    request.raw.on('close', end);
    res.write('retry: 3000\n\n');
    send('ready', { threads: threads.rows.length });
  });
}
