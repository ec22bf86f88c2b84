import net from 'node:net';

/** The PostgreSQL server tests use: COMMONPLACE_TEST_PG, else the local default. */
export const PG_URL = process.env.COMMONPLACE_TEST_PG || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 5432) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export type Dialect = 'sqlite' | 'postgres';

/**
 * The dialects every database test runs on: SQLite always, PostgreSQL when reachable.
 * With COMMONPLACE_TEST_PG_REQUIRED=1 (CI) a missing PostgreSQL is an error, not a skip.
 */
export async function dialects(): Promise<Dialect[]> {
  if (process.env.COMMONPLACE_TEST_DIALECTS) return process.env.COMMONPLACE_TEST_DIALECTS.split(',') as Dialect[];
  if (await reachable(PG_URL)) return ['sqlite', 'postgres'];
  if (process.env.COMMONPLACE_TEST_PG_REQUIRED === '1') throw new Error(`PostgreSQL is required for tests but ${PG_URL} is not reachable`);
  process.stderr.write(`note: PostgreSQL at ${PG_URL} is not reachable; database tests run on SQLite only\n`);
  return ['sqlite'];
}
