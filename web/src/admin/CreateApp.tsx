import { type FormEvent, useMemo, useState } from 'react';
import { get, post, readDataUrl } from '../shared/api';
import { Link, navigate } from '../shared/router';
import { ErrorNote, Field, Loading, useLoad } from '../shared/ui';
import { groupPermissions } from './permissions';
import { TokenOnce } from './TokenOnce';
import type { Credentials, GroupView, IntegrationView, PermissionInfo } from './types';

export interface AppFormValues {
  name: string;
  description: string;
  /** A data: URL of a newly picked picture. */
  picture?: string;
  permissions: string[];
  groups: 'all' | string[];
  require_appsecret_proof: boolean;
  auto_invite: boolean;
}

const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp';

/** The Create App / Edit App form: name, description, picture, grouped permissions, group scope. */
export function AppForm({ initial, currentPicture, submitLabel, onSubmit, onCancel }: { initial?: IntegrationView; currentPicture?: string; submitLabel: string; onSubmit: (values: AppFormValues) => Promise<void>; onCancel?: () => void }) {
  const meta = useLoad(
    (signal) => Promise.all([get<{ data: PermissionInfo[] }>('/admin/api/permissions', signal), get<{ data: GroupView[] }>('/admin/api/groups', signal)]),
    [],
  );
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [picture, setPicture] = useState<string | undefined>();
  const [permissions, setPermissions] = useState<Set<string>>(new Set(initial?.permissions ?? []));
  const [scopeAll, setScopeAll] = useState(initial ? initial.groups === 'all' : true);
  const [groups, setGroups] = useState<Set<string>>(new Set(initial && initial.groups !== 'all' ? initial.groups : []));
  const [groupFilter, setGroupFilter] = useState('');
  const [proof, setProof] = useState(initial?.require_appsecret_proof ?? false);
  const [autoInvite, setAutoInvite] = useState(initial?.auto_invite ?? false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const grouped = useMemo(() => (meta.data ? groupPermissions(meta.data[0].data) : []), [meta.data]);
  const allGroups = meta.data?.[1].data.filter((g) => !g.archived) ?? [];
  const shownGroups = allGroups.filter((g) => g.name.toLowerCase().includes(groupFilter.toLowerCase()));

  const toggle = (set: Set<string>, value: string, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  };
  const pick = async (file: File | undefined) => {
    setError(undefined);
    if (!file) return setPicture(undefined);
    if (file.size > 10 * 1024 * 1024) return setError(new Error('The picture is larger than 10 MB.'));
    setPicture(await readDataUrl(file));
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!scopeAll && groups.size === 0) return setError(new Error('Pick at least one group, or give the integration all groups.'));
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit({ name, description, picture, permissions: [...permissions], groups: scopeAll ? 'all' : [...groups], require_appsecret_proof: proof, auto_invite: autoInvite });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (meta.loading && !meta.data) return <Loading />;
  return (
    <form onSubmit={submit} className="panel" aria-label={submitLabel}>
      <ErrorNote error={meta.error} />
      <Field label="Name" hint="The bot page shows this name on its posts and chats.">
        {(id, hint) => <input id={id} name="name" type="text" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} aria-describedby={hint} />}
      </Field>
      <Field label="Description">{(id) => <textarea id={id} name="description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />}</Field>
      <Field label="Profile picture" hint="JPEG, PNG, GIF or WebP up to 10 MB; the server crops it to a square of at most 512 pixels.">
        {(id, hint) => (
          <div className="row">
            {(picture || currentPicture) && <img className="icon" src={picture ?? currentPicture} alt="Picture preview" width={64} height={64} />}
            <input id={id} name="picture" type="file" accept={ACCEPT} aria-describedby={hint} onChange={(e) => void pick(e.target.files?.[0])} />
          </div>
        )}
      </Field>
      <fieldset>
        <legend>Permissions</legend>
        <p className="hint">Grant only what the integration needs. A token never does more than these permissions allow.</p>
        {grouped.map((group) => (
          <fieldset key={group.title}>
            <legend>{group.title}</legend>
            {group.items.map((p) => (
              <label className="check" key={p.code}>
                <input type="checkbox" name="permission" value={p.code} checked={permissions.has(p.code)} onChange={(e) => setPermissions(toggle(permissions, p.code, e.target.checked))} />
                <span>
                  <strong>{p.name}</strong> <code className="muted">{p.code}</code>
                  <span className="hint">{p.allows}</span>
                </span>
              </label>
            ))}
          </fieldset>
        ))}
      </fieldset>
      <fieldset>
        <legend>Group scope</legend>
        <label className="check">
          <input type="radio" name="scope" checked={scopeAll} onChange={() => setScopeAll(true)} />
          <span>
            All groups<span className="hint">Every group in the community, including groups created later.</span>
          </span>
        </label>
        <label className="check">
          <input type="radio" name="scope" checked={!scopeAll} onChange={() => setScopeAll(false)} />
          <span>
            Selected groups<span className="hint">Other groups look to the integration as if they did not exist.</span>
          </span>
        </label>
        {!scopeAll && (
          <div className="stack" style={{ marginLeft: '1.6rem' }}>
            <Field label="Find a group">{(id) => <input id={id} type="search" value={groupFilter} onChange={(e) => setGroupFilter(e.target.value)} />}</Field>
            {allGroups.length === 0 && <p className="muted">There are no groups yet.</p>}
            <div role="group" aria-label="Groups in scope" style={{ maxHeight: 240, overflowY: 'auto' }}>
              {shownGroups.map((g) => (
                <label className="check" key={g.id}>
                  <input type="checkbox" checked={groups.has(g.id)} onChange={(e) => setGroups(toggle(groups, g.id, e.target.checked))} />
                  <span>
                    {g.name} <span className="muted">· {g.privacy.toLowerCase()}</span>
                  </span>
                </label>
              ))}
            </div>
            <p className="hint">{groups.size} selected</p>
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>Security</legend>
        <label className="check">
          <input type="checkbox" checked={proof} onChange={(e) => setProof(e.target.checked)} />
          <span>
            Require appsecret_proof<span className="hint">Every call must carry an HMAC of the token made with the app secret, so a leaked token alone is useless.</span>
          </span>
        </label>
        <label className="check">
          <input type="checkbox" checked={autoInvite} onChange={(e) => setAutoInvite(e.target.checked)} />
          <span>
            Invite accounts it creates<span className="hint">Accounts provisioned by this integration get an invitation at once.</span>
          </span>
        </label>
      </fieldset>
      <ErrorNote error={error} />
      <div className="actions">
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

export function CreateApp() {
  const [created, setCreated] = useState<{ credentials: Credentials; name: string }>();
  const create = async (values: AppFormValues) => {
    const result = await post<Credentials & { integration: IntegrationView }>('/admin/api/integrations', values);
    setCreated({ credentials: result, name: result.integration.name });
  };
  return (
    <>
      <p>
        <Link to="/admin/integrations">← Integrations</Link>
      </p>
      <h1 tabIndex={-1}>{created ? 'App created' : 'Create App'}</h1>
      {created ? (
        <>
          <p>
            <strong>{created.name}</strong> is ready. App ID <code>{created.credentials.app_id}</code>; its bot page is <code>{created.credentials.page_id}</code>.
          </p>
          <TokenOnce token={created.credentials.access_token} appName={created.name} onDone={() => navigate(`/admin/integrations/${created.credentials.app_id}`, true)} />
        </>
      ) : (
        <AppForm submitLabel="Create App" onSubmit={create} onCancel={() => navigate('/admin/integrations')} />
      )}
    </>
  );
}
