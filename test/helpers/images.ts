import { createServer, type Server } from 'node:http';
import sharp from 'sharp';

/** A real image host on 127.0.0.1: `/*.png` a 30×20 PNG, `/*.jpg` a JPEG, `/page.html` HTML, `/big.png` 11 MB, `/gone.png` 404, `/moved.png` a redirect. */
export interface ImageHost {
  base: string;
  url(path: string): string;
  /** Requests received, by path. */
  hits: string[];
  png: Buffer;
  close(): Promise<void>;
}

export async function startImageHost(): Promise<ImageHost> {
  const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#36c' } }).png().toBuffer();
  const jpg = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#c63' } }).jpeg().toBuffer();
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.push(path);
    if (path === '/page.html') return res.writeHead(200, { 'content-type': 'image/png' }).end('<html><script>alert(1)</script></html>');
    if (path === '/big.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([png, Buffer.alloc(11 * 1024 * 1024)]));
    if (path === '/gone.png') return res.writeHead(404).end('not here');
    if (path === '/moved.png') return res.writeHead(302, { location: '/target.png' }).end();
    if (path.endsWith('.png')) return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    if (path.endsWith('.jpg')) return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpg);
    if (path.endsWith('.pdf')) return res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4 a document');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    base,
    url: (path) => `${base}/${path.replace(/^\//, '')}`,
    hits,
    png,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Server env that lets the server fetch from the image host on 127.0.0.1 (the egress policy refuses loopback otherwise). */
export const IMAGE_HOST_ENV = { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };
