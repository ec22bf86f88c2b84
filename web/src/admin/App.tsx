import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, del, get, post, setCsrf } from '../shared/api';
import { Link, match, navigate, useLocation } from '../shared/router';
import { ErrorNote, Field, Loading, Toasts } from '../shared/ui';
import { GroupDetail, GroupsScreen } from './Groups';
import { CreateApp } from './CreateApp';
import { IntegrationDetail } from './IntegrationDetail';
import { IntegrationsList } from './Integrations';
import { PeopleScreen, PersonScreen } from './People';
import { SecurityLog } from './SecurityLog';
import { AutomationScreen, HookDetail } from './Automation';
import type { AdminMe } from './types';

export function AdminApp() {
  const [me, setMe] = useState<AdminMe | null | undefined>(undefined);
  useEffect(() => {
    get<AdminMe>('/admin/api/session').then(
      (session) => {
        setCsrf(session.csrf_token);
        setMe(session);
      },
      () => setMe(null),
    );
  }, []);
  if (me === undefined) return <Loading />;
  if (me === null)
    return (
      <SignIn
        onSignedIn={(session) => {
          setCsrf(session.csrf_token);
          setMe(session);
        }}
      />
    );
  return (
    <Shell
      me={me}
      onSignedOut={() => {
        setCsrf(undefined);
        setMe(null);
      }}
    />
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (me: AdminMe) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await post<AdminMe>('/admin/api/session', { email: form.get('email'), password: form.get('password') }));
    } catch (e) {
      setError(e instanceof ApiError && e.status === 429 ? new Error('Too many failed attempts. Wait a few minutes, then try again.') : e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="narrow">
      <div className="panel">
        <h1>Commonplace Admin</h1>
        <p className="muted">Sign in as a system administrator.</p>
        <form onSubmit={submit} aria-label="Sign in">
          <Field label="Email">{(id) => <input id={id} name="email" type="email" autoComplete="username" required autoFocus />}</Field>
          <Field label="Password">{(id) => <input id={id} name="password" type="password" autoComplete="current-password" required />}</Field>
          <ErrorNote error={error} />
          <button className="primary" type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}

const SECTIONS = [
  { path: '/admin/integrations', label: 'Integrations' },
  { path: '/admin/people', label: 'People' },
  { path: '/admin/groups', label: 'Groups' },
  { path: '/admin/automation', label: 'Automation' },
  { path: '/admin/security', label: 'Security log' },
];

function Shell({ me, onSignedOut }: { me: AdminMe; onSignedOut: () => void }) {
  const { path } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (path === '/admin') navigate('/admin/integrations', true);
  }, [path]);
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [path]);
  const signOut = async () => {
    await del('/admin/api/session').catch(() => undefined);
    onSignedOut();
  };
  let screen;
  let params: Record<string, string> | null;
  if (path === '/admin/integrations') screen = <IntegrationsList />;
  else if (path === '/admin/integrations/new') screen = <CreateApp />;
  else if ((params = match('/admin/integrations/:id', path))) screen = <IntegrationDetail id={params.id} />;
  else if (path === '/admin/people') screen = <PeopleScreen />;
  else if ((params = match('/admin/people/:id', path))) screen = <PersonScreen id={params.id} />;
  else if (path === '/admin/groups') screen = <GroupsScreen />;
  else if ((params = match('/admin/groups/:id', path))) screen = <GroupDetail id={params.id} />;
  else if (path === '/admin/security') screen = <SecurityLog />;
  else if (path === '/admin/automation' || path === '/admin/automation/feeds' || path === '/admin/automation/rules') screen = <AutomationScreen />;
  else if ((params = match('/admin/automation/hooks/:id', path))) screen = <HookDetail id={params.id} />;
  else screen = path === '/admin' ? <Loading /> : <NotFound />;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link className="brand" to="/admin/integrations">
          <img src="/favicon.svg" alt="" /> Admin
        </Link>
        <nav className="nav" aria-label="Admin sections">
          {SECTIONS.map((s) => (
            <Link key={s.path} to={s.path} aria-current={path === s.path || path.startsWith(`${s.path}/`) ? 'page' : undefined}>
              {s.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <span className="hide-phone">{me.member.name}</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef}>
        {screen}
      </main>
      <Toasts />
    </>
  );
}

function NotFound() {
  return (
    <div className="panel">
      <h1 tabIndex={-1}>Not found</h1>
      <p>
        There is nothing at this address. <Link to="/admin/integrations">Back to Integrations</Link>
      </p>
    </div>
  );
}
