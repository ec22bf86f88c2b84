import cluster from 'node:cluster';
import { ensureCommunity, openContext } from './bootstrap.js';
import { loadConfig } from './config.js';
import { createLogger } from './http/logging.js';
import { buildServer } from './server.js';

/** How long a stopping process may take to finish in-flight requests before it exits anyway. */
const FORCE_EXIT_MS = 15_000;

/**
 * `commonplace serve`: migrate, bootstrap, listen. With `workers` above 1 (PostgreSQL only) a
 * primary process migrates once and runs that many server processes sharing the port
 * (node:cluster), restarting any that die. SIGTERM/SIGINT: /readyz turns unready, the port
 * closes after COMMONPLACE_SHUTDOWN_DELAY_MS, in-flight requests finish, webhook leases are
 * handed back, then the process exits.
 */
export async function serve(options: { workers?: number } = {}): Promise<void> {
  const config = loadConfig();
  const workers = options.workers ?? config.workers;
  if (cluster.isPrimary && workers > 1) return servePrimary(workers);
  return serveOne();
}

function printGenerated(generated: { email: string; password: string } | undefined): void {
  if (!generated) return;
  process.stdout.write(
    `\nFirst system admin created (shown once):\n  email:    ${generated.email}\n  password: ${generated.password}\nSign in at /admin, or set COMMONPLACE_ADMIN_EMAIL and COMMONPLACE_ADMIN_PASSWORD before the first start.\n\n`,
  );
}

async function serveOne(): Promise<void> {
  const { ctx, close } = await openContext();
  const { generated } = await ensureCommunity(ctx);
  printGenerated(generated);
  const server = await buildServer(ctx);
  await server.app.listen({ port: ctx.config.port, host: ctx.config.host });
  ctx.log.info({ port: ctx.config.port, host: ctx.config.host, database: ctx.dialect, pid: process.pid, worker: cluster.isWorker ? cluster.worker?.id : undefined }, 'commonplace listening');
  if (!ctx.config.publicUrl) {
    ctx.log.warn('PUBLIC_URL is not set: invitations (claim links and mail) work only for requests to a loopback address; set PUBLIC_URL to the address people open Commonplace at');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal, pid: process.pid }, 'shutting down: unready, then finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), FORCE_EXIT_MS + ctx.config.shutdownDelayMs);
    force.unref();
    server.drain();
    if (ctx.config.shutdownDelayMs) await new Promise((r) => setTimeout(r, ctx.config.shutdownDelayMs));
    await server.close();
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function servePrimary(workers: number): Promise<void> {
  const log = createLogger(loadConfig().logLevel);
  const { ctx, close } = await openContext({ log });
  if (ctx.dialect !== 'postgres') {
    await close();
    throw new Error(
      'serve --workers needs PostgreSQL (DATABASE_URL=postgres://…): SQLite lets one process write at a time, so several server processes would queue behind each other and share nothing. Run one process on SQLite, or move to PostgreSQL.',
    );
  }
  const { generated } = await ensureCommunity(ctx);
  printGenerated(generated);
  await close();

  let stopping = false;
  const restarts: number[] = [];
  const fork = () => cluster.fork({ COMMONPLACE_WORKERS: '1' });
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
    log.error({ pid: worker.process.pid, code, signal }, 'server process died; starting another');
    // A process that dies at once every time (bad configuration) is not restarted in a tight loop.
    setTimeout(fork, restarts.length > workers * 3 ? 5000 : 0);
  });
  log.info({ workers, pid: process.pid }, 'commonplace primary started');
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping server processes');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), FORCE_EXIT_MS + loadConfig().shutdownDelayMs + 2000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
