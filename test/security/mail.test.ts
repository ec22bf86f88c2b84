import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// Mail that leaves: the outbox is sent through SMTP_URL (nodemailer) to a real SMTP server
// (smtp-server) on 127.0.0.1 — STARTTLS with auth, implicit TLS, and refusals that retry or give up.

interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | undefined;
}

/** Decodes a quoted-printable body enough to read links and codes. */
function unfold(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function startSmtp(options: Partial<SMTPServerOptions> & { refuse?: (session: SMTPServerSession) => { code: number; message: string } | undefined }) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === 'mailer' && auth.password === 'mail-Pass-1') return done(null, { user: auth.username });
      return done(new Error('Invalid username or password'));
    },
    onRcptTo(address, session, done) {
      const refusal = options.refuse?.(session);
      if (refusal) return done(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      done();
    },
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, secure: session.secure, user: session.user as string | undefined });
        done();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { received, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const dialect of await dialects()) {
  describe(`mail delivery through SMTP_URL (${dialect})`, () => {
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let ts: TestServer;
    let token: string;
    let refuseNext: { code: number; message: string } | undefined;
    before(async () => {
      smtp = await startSmtp({ refuse: () => refuseNext });
      ts = await startServer(dialect, {
        env: {
          PUBLIC_URL: 'https://work.example.com',
          SMTP_URL: `smtp://mailer:mail-Pass-1@127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false`,
          MAIL_FROM: 'Example Work <invites@example.com>',
          COMMONPLACE_RATE_LIMIT: '0',
        },
      });
      token = (await ts.integration(['provision_user_accounts'])).access_token;
    });
    after(async () => {
      await ts.close();
      await smtp.close();
    });

    const invite = async (email: string) => {
      const created = await http('POST', `${ts.graph}/community/accounts`, { token, form: { name: 'Nora Mail', email } });
      assert.equal(created.status, 200, created.text);
      const invited = await http('POST', `${ts.graph}/${created.json.id}`, { token, form: { invited: 'true' } });
      assert.equal(invited.status, 200, invited.text);
      return created.json.id as string;
    };
    const rowOf = (memberId: string) => ts.ctx.db.selectFrom('mail_outbox').selectAll().where('member_id', '=', memberId).executeTakeFirstOrThrow();

    test('an invitation leaves through SMTP with STARTTLS and auth, with the claim link on PUBLIC_URL and the access code', async () => {
      const id = await invite('nora.mail@example.com');
      const message = await until('the invitation at the SMTP server', async () => smtp.received.find((m) => m.to.includes('nora.mail@example.com')));
      assert.equal(message.secure, true, 'the connection was upgraded with STARTTLS');
      assert.equal(message.user, 'mailer');
      assert.equal(message.from, 'invites@example.com');
      const text = unfold(message.raw);
      assert.match(text, /^Subject: You're invited to join /m);
      const link = /https:\/\/work\.example\.com\/claim\/([A-Za-z0-9_-]{20,})/.exec(text);
      assert.ok(link, 'the claim link is on PUBLIC_URL');
      assert.match(text, /enter the access code [A-Z2-9]{10}/);
      const invitation = await http('GET', `${ts.base}/api/invitations/${link[1]}`);
      assert.equal(invitation.status, 200, 'the mailed link is a live claim link');
      const row = await until('the row marked sent', async () => ((await rowOf(id)).sent_time ? rowOf(id) : undefined));
      assert.equal(row.attempts, 1);
      assert.equal(row.last_error, null);
    });

    test('a temporary refusal (451) is retried later; the row shows the attempt and the error', async () => {
      refuseNext = { code: 451, message: 'try again later' };
      const id = await invite('later@example.com');
      const row = await until('a failed attempt', async () => ((await rowOf(id)).attempts ? rowOf(id) : undefined));
      refuseNext = undefined;
      assert.equal(row.sent_time, null);
      assert.equal(row.failed_time, null);
      assert.match(row.last_error ?? '', /451|try again later/);
      assert.ok(Number(row.next_attempt_time) > Date.now() + 30_000, 'the next attempt waits (back-off)');
      await ts.ctx.db.updateTable('mail_outbox').set({ next_attempt_time: Date.now() - 1 }).where('id', '=', row.id).execute();
      ts.server.mail!.nudge();
      const sent = await until('the retry to be sent', async () => ((await rowOf(id)).sent_time ? rowOf(id) : undefined));
      assert.equal(sent.attempts, 2);
      assert.ok(smtp.received.some((m) => m.to.includes('later@example.com')));
    });

    test('a permanent refusal (550) gives up at once and stays visible as failed', async () => {
      refuseNext = { code: 550, message: 'no such user' };
      const id = await invite('nobody@example.com');
      const row = await until('the mail to give up', async () => ((await rowOf(id)).failed_time ? rowOf(id) : undefined));
      refuseNext = undefined;
      assert.equal(row.sent_time, null);
      assert.equal(row.attempts, 1);
      assert.match(row.last_error ?? '', /550|no such user/);
    });
  });
}

describe('mail delivery over implicit TLS (smtps://)', () => {
  test('smtps:// sends over TLS from the first byte', async () => {
    const smtp = await startSmtp({ secure: true });
    const ts = await startServer('sqlite', { env: { PUBLIC_URL: 'https://work.example.com', SMTP_URL: `smtps://mailer:mail-Pass-1@127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false` } });
    try {
      const token = (await ts.integration(['provision_user_accounts'])).access_token;
      const created = await http('POST', `${ts.graph}/community/accounts`, { token, form: { name: 'Tls Person', email: 'tls@example.com', invited: 'true' } });
      assert.equal(created.status, 200, created.text);
      const message = await until('the invitation', async () => smtp.received.find((m) => m.to.includes('tls@example.com')));
      assert.equal(message.secure, true);
      assert.match(unfold(message.raw), /https:\/\/work\.example\.com\/claim\//);
    } finally {
      await ts.close();
      await smtp.close();
    }
  });
});

describe('without SMTP_URL', () => {
  test('mail waits in the outbox, unsent', async () => {
    const ts = await startServer('sqlite', { env: { PUBLIC_URL: 'https://work.example.com' } });
    try {
      assert.equal(ts.server.mail, undefined);
      const token = (await ts.integration(['provision_user_accounts'])).access_token;
      const created = await http('POST', `${ts.graph}/community/accounts`, { token, form: { name: 'Kept Person', email: 'kept@example.com', invited: 'true' } });
      assert.equal(created.status, 200, created.text);
      const row = await ts.ctx.db.selectFrom('mail_outbox').selectAll().where('member_id', '=', created.json.id).executeTakeFirstOrThrow();
      assert.equal(row.sent_time, null);
      assert.equal(row.attempts, 0);
      assert.match(row.body, /https:\/\/work\.example\.com\/claim\//);
    } finally {
      await ts.close();
    }
  });
});
