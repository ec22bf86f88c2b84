import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, del, get, post, setCsrf } from '../shared/api';
import { Link, match, navigate, useLocation } from '../shared/router';
import { Avatar, ErrorNote, Field, Loading, Toasts, useLoad } from '../shared/ui';
import { ChatScreen } from './Chat';
import { GroupScreen, GroupsScreen } from './Groups';
import { HomeFeed } from './Home';
import { PeopleScreen, ProfileScreen } from './People';
import { KnowledgeScreen } from './Knowledge';
import { useMyPicture } from './ProfilePicture';
import type { Group, Me } from './types';

interface SessionAnswer {
  csrf_token?: string;
  member: Me;
}

export function MemberApp() {
  const { path } = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    get<SessionAnswer>('/api/session').then(
      (s) => {
        setCsrf(s.csrf_token);
        setMe(s.member);
      },
      () => setMe(null),
    );
  }, []);
  const signedIn = (s: SessionAnswer) => {
    setCsrf(s.csrf_token);
    setMe(s.member);
  };
  const claim = match('/claim/:token', path);
  if (claim || path === '/claim') return <ClaimScreen token={claim?.token} onSignedIn={signedIn} />;
  if (me === undefined) return <Loading />;
  if (me === null) return <SignIn onSignedIn={signedIn} />;
  return (
    <Shell
      me={me}
      onSignedOut={() => {
        setCsrf(undefined);
        setMe(null);
        navigate('/', true);
      }}
    />
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (s: SessionAnswer) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await post<SessionAnswer>('/api/session', { email: form.get('email'), password: form.get('password') }));
    } catch (e) {
      setError(e instanceof ApiError && e.status === 429 ? new Error('Too many failed attempts. Wait a few minutes, then try again.') : e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="narrow">
      <div className="panel">
        <h1>Sign in to Commonplace</h1>
        <form onSubmit={submit} aria-label="Sign in">
          <Field label="Email">{(id) => <input id={id} name="email" type="email" autoComplete="username" required autoFocus />}</Field>
          <Field label="Password">{(id) => <input id={id} name="password" type="password" autoComplete="current-password" required />}</Field>
          <ErrorNote error={error} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="muted">
          Invited? Open the link from your invitation, or <Link to="/claim">enter your access code</Link>.
        </p>
      </div>
    </main>
  );
}

function ClaimScreen({ token, onSignedIn }: { token?: string; onSignedIn: (s: SessionAnswer) => void }) {
  const invite = useLoad((signal) => (token ? get<{ name: string; email: string | null; needs_password: boolean }>(`/api/invitations/${encodeURIComponent(token)}`, signal) : Promise.resolve(null)), [token]);
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get('password') !== form.get('confirm')) return setError(new Error('The two passwords differ.'));
    setError(undefined);
    try {
      onSignedIn(await post<SessionAnswer>('/api/claim', { secret: token ?? form.get('code'), password: form.get('password') }));
      navigate('/', true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <main className="narrow">
      <div className="panel">
        <h1>Claim your account</h1>
        {token && invite.loading && <Loading />}
        {token && invite.error && <ErrorNote error={invite.error} />}
        {invite.data && (
          <p>
            Welcome, <strong>{invite.data.name}</strong>. Choose a password to finish setting up {invite.data.email ? <>the account for {invite.data.email}</> : 'your account'}.
          </p>
        )}
        {(!token || invite.data) && (
          <form onSubmit={submit} aria-label="Claim your account">
            {!token && <Field label="Access code" hint="The 10-character code from your invitation.">{(id, hint) => <input id={id} name="code" type="text" required autoComplete="one-time-code" aria-describedby={hint} />}</Field>}
            <Field label="New password" hint="At least 8 characters.">
              {(id, hint) => <input id={id} name="password" type="password" minLength={8} required autoComplete="new-password" aria-describedby={hint} />}
            </Field>
            <Field label="Repeat the password">{(id) => <input id={id} name="confirm" type="password" minLength={8} required autoComplete="new-password" />}</Field>
            <ErrorNote error={error} />
            <button type="submit" className="primary">
              Claim account
            </button>
          </form>
        )}
      </div>
    </main>
  );
}

const NAV = [
  { path: '/', label: 'Home' },
  { path: '/groups', label: 'Groups' },
  { path: '/chat', label: 'Chat' },
  { path: '/people', label: 'People' },
  { path: '/knowledge', label: 'Knowledge' },
];

function Shell({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { path } = useLocation();
  const myPicture = useMyPicture(me.picture_url);
  const mainRef = useRef<HTMLElement>(null);
  const groups = useLoad((signal) => get<{ data: Group[] }>('/api/groups?filter=joined', signal), [path.startsWith('/groups') ? path : '']);
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }, [path]);
  const signOut = async () => {
    await del('/api/session').catch(() => undefined);
    onSignedOut();
  };
  let params: Record<string, string> | null;
  let screen;
  if (path === '/') screen = <HomeFeed me={me} />;
  else if (path === '/groups') screen = <GroupsScreen onChange={groups.reload} />;
  else if ((params = match('/groups/:id', path) ?? match('/groups/:id/:tab', path) ?? match('/groups/:id/:tab/:item', path))) {
    screen = <GroupScreen key={params.id} id={params.id} tab={params.tab} me={me} onMembership={groups.reload} />;
  }
  else if (path === '/chat') screen = <ChatScreen me={me} />;
  else if ((params = match('/chat/:id', path))) screen = <ChatScreen me={me} threadId={params.id} />;
  else if (path === '/people') screen = <PeopleScreen />;
  else if ((params = match('/people/:id', path))) screen = <ProfileScreen id={params.id} meId={me.id} />;
  else if (path === '/knowledge') screen = <KnowledgeScreen />;
  else if ((params = match('/knowledge/:id', path))) screen = <KnowledgeScreen id={params.id} />;
  else
    screen = (
      <div className="panel">
        <h1 tabIndex={-1}>Not found</h1>
        <Link to="/">Home</Link>
      </div>
    );
  const wide = path.startsWith('/chat');
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link className="brand" to="/">
          <img src="/favicon.svg" alt="" /> <span className="hide-phone">Commonplace</span>
        </Link>
        <nav className="nav" aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.path} to={n.path} aria-current={(n.path === '/' ? path === '/' : path === n.path || path.startsWith(`${n.path}/`)) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <Link to={`/people/${me.id}`} className="row" style={{ gap: '0.4rem' }}>
            <Avatar src={myPicture} name="" size={28} /> {me.name}
          </Link>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} style={wide ? { maxWidth: 1200 } : undefined}>
        {wide ? (
          screen
        ) : (
          <div className="layout">
            <aside className="sidebar panel hide-phone" aria-label="Your groups">
              <h2>Your groups</h2>
              {groups.data && groups.data.data.length === 0 && <p className="muted">None yet. Find groups to join.</p>}
              <ul>
                {groups.data?.data.map((g) => (
                  <li key={g.id}>
                    <Link to={`/groups/${g.id}`} aria-current={path === `/groups/${g.id}` || path.startsWith(`/groups/${g.id}/`) ? 'page' : undefined}>
                      <img className="icon" src="/media/group-icon.svg" alt="" width={24} height={24} /> {g.name}
                    </Link>
                  </li>
                ))}
              </ul>
              <p>
                <Link to="/groups">All groups</Link>
              </p>
            </aside>
            <div>{screen}</div>
          </div>
        )}
      </main>
      <Toasts />
    </>
  );
}
