import { ensureCommunity, openContext } from './bootstrap.js';
import { buildServer } from './server.js';

/** `commonplace serve`: migrate, bootstrap, listen; SIGTERM/SIGINT drain in-flight requests. */
export async function serve(): Promise<void> {
  const { ctx, close } = await openContext();
  const { generated } = await ensureCommunity(ctx);
  if (generated) {
    process.stdout.write(
      `\nFirst system admin created (shown once):\n  email:    ${generated.email}\n  password: ${generated.password}\nSign in at /admin, or set COMMONPLACE_ADMIN_EMAIL and COMMONPLACE_ADMIN_PASSWORD before the first start.\n\n`,
    );
  }
  const server = await buildServer(ctx);
  await server.app.listen({ port: ctx.config.port, host: ctx.config.host });
  ctx.log.info({ port: ctx.config.port, host: ctx.config.host, database: ctx.dialect }, 'commonplace listening');
  if (!ctx.config.publicUrl) {
    ctx.log.warn('PUBLIC_URL is not set: invitations (claim links and mail) work only for requests to a loopback address; set PUBLIC_URL to the address people open Commonplace at');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await server.close();
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
