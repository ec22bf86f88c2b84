import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` writes the two web apps. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Paths that belong to the APIs and the server: the apps' client-side routes never shadow them. */
const RESERVED = ['/graph', '/scim', '/admin/api', '/api', '/media', '/assets', '/healthz', '/readyz', '/metrics'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Scripts and styles come only from this origin; user content never becomes markup (the apps
// render it as text), and this policy is the second line if that ever failed. Images too: photos
// given by URL are fetched by the server and served from /media, so no post can make a viewer's
// browser fetch another address (data: is for previews of a picked file before upload).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The apps' own roots always answer with their page; deeper client-side routes only for browsers
 * asking for a page, so an API client that mistypes a path gets a JSON 404, not HTML.
 */
function wantsPage(request: FastifyRequest): boolean {
  const url = request.url.split('?')[0];
  return url === '/' || url === '/admin/' || String(request.headers.accept ?? '').includes('text/html');
}

function reserved(url: string): boolean {
  return RESERVED.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`));
}

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin');
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Commonplace</title>
<p>The web apps are not built yet. Run <code>npm run build:web</code> (or <code>npm start</code>, which builds them when missing).</p></html>`;

/**
 * Serves the built web apps: hashed assets under /assets, the admin panel at /admin (every
 * client-side route answers with its page) and the member app at / (likewise).
 */
export async function registerWebApps(app: FastifyInstance, dist = WEB_DIST): Promise<void> {
  const page = (name: string) => {
    const file = path.join(dist, name);
    return (_request: FastifyRequest, reply: FastifyReply) =>
      fs.existsSync(file) ? pageHeaders(reply).send(fs.createReadStream(file)) : pageHeaders(reply).code(503).send(NOT_BUILT);
  };
  const adminPage = page('admin/index.html');
  const memberPage = page('index.html');

  app.get('/assets/*', async (request, reply) => {
    const rel = (request.params as { '*': string })['*'];
    const file = path.join(dist, 'assets', path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(path.join(dist, 'assets') + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return reply.callNotFound();
    reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff');
    return reply.send(fs.createReadStream(file));
  });
  app.get('/favicon.svg', async (_request, reply) => {
    const file = path.join(dist, 'favicon.svg');
    if (!fs.existsSync(file)) return reply.callNotFound();
    return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(fs.createReadStream(file));
  });
  app.get('/admin', adminPage);
  app.get('/admin/*', (request, reply) => (reserved(request.url) || !wantsPage(request) ? reply.callNotFound() : adminPage(request, reply)));
  app.get('/*', (request, reply) => {
    const url = request.url.split('?')[0];
    // A missing file (anything with an extension) is a 404, not the app.
    if (reserved(url) || path.extname(url) !== '' || !wantsPage(request)) return reply.callNotFound();
    return memberPage(request, reply);
  });
}
