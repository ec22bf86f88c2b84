import { http, SIGN_IN, type TestServer } from '../helpers/server.js';

export type MemberCall = (method: string, path: string, json?: unknown) => Promise<{ status: number; json: any; text: string; headers: Headers }>;

/** Signs a member in on the member API and returns a caller with the session cookie and CSRF token. */
export type MemberSession = MemberCall & { memberId: string; cookie: string; csrf: string };

export async function memberSession(ts: TestServer, email: string, password: string): Promise<MemberSession> {
  const r = await http('POST', `${ts.base}/api/session`, { json: { email, password }, headers: SIGN_IN });
  if (r.status !== 200) throw new Error(`member sign-in ${email}: ${r.status} ${r.text}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = r.json.csrf_token as string;
  const call = ((method: string, path: string, json?: unknown) =>
    http(method, `${ts.base}/api${path}`, { json, headers: { cookie, 'x-csrf-token': csrf } })) as MemberSession;
  call.memberId = r.json.member.id;
  call.cookie = cookie;
  call.csrf = csrf;
  return call;
}
