import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { latestMessages, listThreadsOf } from '../db/repositories/chat.js';
import type { MemberAuth } from './routes.js';

/** How often each open stream looks for changed conversations. */
export const EVENTS_POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

/**
 * GET /api/events: a server-sent event stream for the signed-in member. It sends `thread`
 * ({"thread_id","updated_time","last_message_id"}) whenever one of their conversations gets a
 * message or changes. It reads the database, so it works the same with several server processes
 * on one PostgreSQL.
 */
export async function registerMemberEvents(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get('/api/events', async (request, reply) => {
    const { member } = await auth.member(request);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const known = new Map<string, string>();
    let stopped = false;
    let first = true;
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const poll = async () => {
      if (stopped) return;
      try {
        const page = await listThreadsOf(ctx.db, member.id, { limit: 30, order: 'desc' });
        const latest = await latestMessages(
          ctx.db,
          page.rows.map((t) => t.id),
        );
        for (const thread of page.rows) {
          const last = latest.get(thread.id);
          const key = `${thread.updated_time}:${last?.id ?? ''}`;
          if (known.get(thread.id) === key) continue;
          known.set(thread.id, key);
          if (!first) send('thread', { thread_id: `t_${thread.id}`, updated_time: new Date(thread.updated_time).toISOString(), last_message_id: last ? `m_${last.id}` : null });
        }
        if (first) send('ready', { threads: page.rows.length });
        first = false;
      } catch (error) {
        request.log.warn({ err: error }, 'member event stream poll failed');
      }
      if (!stopped) timer = setTimeout(poll, EVENTS_POLL_MS);
    };
    let timer = setTimeout(poll, 0);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      open.delete(end);
      res.end();
    };
    open.add(end);
    request.raw.on('close', end);
    res.write('retry: 3000\n\n');
  });
}
