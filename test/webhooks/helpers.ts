import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { http, SIGN_IN, type TestServer } from '../helpers/server.js';

/** Subscribes an integration to a topic through POST /app/subscriptions (handshake included). */
export async function subscribe(ts: TestServer, app: IssuedCredentials, object: string, fields: string, callbackUrl: string, verifyToken = 'verify-me'): Promise<void> {
  const r = await http('POST', `${ts.graph}/app/subscriptions`, {
    token: `${app.app_id}|${app.app_secret}`,
    form: { object, fields, callback_url: callbackUrl, verify_token: verifyToken },
  });
  if (r.status !== 200) throw new Error(`subscribe ${object}/${fields}: ${r.status} ${r.text}`);
}

/**
 * An admin session on the admin API: JSON calls with the cookie and CSRF token. Signs in again
 * when the session ran out (tests move the clock by days).
 */
export async function adminSession(ts: TestServer): Promise<(method: string, path: string, json?: unknown) => Promise<{ status: number; json: any; text: string }>> {
  let session: { cookie: string; csrf: string } | undefined;
  const signIn = async () => {
    const r = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: 'test-Admin-pass-1234' }, headers: SIGN_IN });
    if (r.status !== 200) throw new Error(`admin sign-in: ${r.text}`);
    session = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0], csrf: r.json.csrf_token as string };
    return session;
  };
  await signIn();
  return async (method, path, json) => {
    for (let i = 0; ; i++) {
      const s = session ?? (await signIn());
      const r = await http(method, `${ts.base}/admin/api${path}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
      if (r.status !== 401 || i > 0) return r;
      session = undefined;
    }
  };
}
