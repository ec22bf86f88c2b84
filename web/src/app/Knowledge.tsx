import { type FormEvent, useState } from 'react';
import { ApiError, del, get, post, query } from '../shared/api';
import { Document } from '../shared/markdown';
import type { MarkdownNode } from '../../../src/markdown';
import { Link, navigate } from '../shared/router';
import { Dialog, ErrorNote, Loading, Time, toast, useLoad } from '../shared/ui';

interface CategorySummary {
  id: string;
  parent_id: string | null;
  title: string;
  status: 'PUBLISHED' | 'DRAFT';
  color: string | null;
  icon: string | null;
  order_index: number;
}

interface Library {
  can_edit: boolean;
  categories: CategorySummary[];
  quick_links: { id: string; title: string; link: string }[];
}

interface Page extends CategorySummary {
  last_updated: string;
  last_editor: { id: string; name: string } | null;
  document: MarkdownNode[];
  content?: string;
  has_json_content?: boolean;
  read_audience?: { audience_type: string; groups: { id: string; name: string }[] };
  photos: { id: string; url: string | null; caption: string | null }[];
}

/** The pages a page may move under: any but itself and those below it. */
function placesFor(all: CategorySummary[], id: string): CategorySummary[] {
  const below = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of all) if (c.parent_id && below.has(c.parent_id) && !below.has(c.id)) (below.add(c.id), (grew = true));
  }
  return all.filter((c) => !below.has(c.id));
}

const COLORS: Record<string, string> = { GRAY: '#8a8d91', CYAN: '#0aa4c2', TEAL: '#0a9396', GREEN: '#2e9e44', YELLOW: '#d9a400', ORANGE: '#e8710a', ORANGE_RED: '#e8430a', RED: '#d93025', PINK: '#d6337a', PURPLE: '#7b3fd1' };
const swatch = (color: string | null) => (color ? COLORS[color.replace(/^(LIGHT|DARK)_/, '')] ?? '#8a8d91' : 'transparent');

function Tree({ all, parent, current }: { all: CategorySummary[]; parent: string | null; current?: string }) {
  const children = all.filter((c) => c.parent_id === parent);
  if (!children.length) return null;
  return (
    <ul className="kl-tree" role={parent === null ? 'tree' : 'group'}>
      {children.map((c) => (
        <li key={c.id} role="treeitem" aria-selected={c.id === current}>
          <Link to={`/knowledge/${c.id}`} aria-current={c.id === current ? 'page' : undefined}>
            <span className="kl-swatch" style={{ background: swatch(c.color) }} aria-hidden="true" />
            {c.title}
            {c.status === 'DRAFT' && <span className="muted"> (draft)</span>}
          </Link>
          <Tree all={all} parent={c.id} current={current} />
        </li>
      ))}
    </ul>
  );
}

function Search() {
  const [q, setQ] = useState('');
  const { data, error } = useLoad((signal) => (q.trim() ? get<{ data: (CategorySummary & { excerpt: string })[] }>(`/api/knowledge/search${query({ q })}`, signal) : Promise.resolve({ data: [] })), [q]);
  return (
    <div role="search">
      <label>
        <span className="label">Search the Knowledge Library</span>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Title or text" />
      </label>
      <ErrorNote error={error} />
      {q.trim() && data && (
        <ul className="picker kl-results" aria-label="Search results">
          {data.data.map((hit) => (
            <li key={hit.id}>
              <Link to={`/knowledge/${hit.id}`}>{hit.title}</Link>
              <div className="muted">{hit.excerpt}</div>
            </li>
          ))}
          {data.data.length === 0 && <li className="muted">No page matches.</li>}
        </ul>
      )}
    </div>
  );
}

const STATUSES = ['PUBLISHED', 'DRAFT'];
const EDITOR_COLORS = ['', 'GRAY', 'CYAN', 'TEAL', 'GREEN', 'YELLOW', 'ORANGE', 'RED', 'PINK', 'PURPLE', 'DARK_TEAL', 'DARK_PURPLE', 'LIGHT_GRAY'];

function Editor({ page, parentId, all = [], onDone }: { page?: Page; parentId: string | null; all?: CategorySummary[]; onDone: (id: string | null) => void }) {
  const [parent, setParent] = useState(page?.parent_id ?? '');
  const [position, setPosition] = useState(page ? String(page.order_index) : '');
  const root = (page ? parent || null : parentId) === null;
  const [title, setTitle] = useState(page?.title ?? '');
  const [content, setContent] = useState(page?.content ?? '');
  const [status, setStatus] = useState(page?.status ?? 'PUBLISHED');
  const [color, setColor] = useState(page?.color ?? '');
  const [audience, setAudience] = useState(page?.read_audience?.audience_type ?? (root ? 'EVERYONE' : 'INHERIT'));
  const [groups, setGroups] = useState<string[]>(page?.read_audience?.groups.map((g) => g.id) ?? []);
  const [error, setError] = useState<unknown>();
  const joined = useLoad((signal) => get<{ data: { id: string; name: string }[] }>('/api/groups?filter=joined', signal), []);
  const keepsOtherAudience = audience === 'STATIC_USERS' || audience === 'PROFILE_FIELDS';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const body: Record<string, unknown> = { title, status, color };
    if (!page || content !== (page.content ?? '')) body.content = content;
    if (page && (parent || null) !== page.parent_id) body.parent_id = parent || null;
    if (page && position !== '' && Number(position) !== page.order_index) body.order_index = Number(position);
    if (!keepsOtherAudience) body.read_audience = { audience_type: audience, groups: audience === 'GROUPS' ? groups : [] };
    try {
      const saved = page ? await post<CategorySummary>(`/api/knowledge/${page.id}`, body) : await post<CategorySummary>('/api/knowledge', { ...body, parent_id: parentId });
      toast(page ? 'Page saved' : 'Page created');
      onDone(saved.id);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="panel kl-editor" onSubmit={submit} aria-label={page ? 'Edit page' : 'New page'}>
      <h2>{page ? 'Edit page' : parentId ? 'New subpage' : 'New page'}</h2>
      <label>
        <span className="label">Title</span>
        <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
      </label>
      <label>
        <span className="label">Content (Markdown: **bold**, _italic_, lists, links)</span>
        <textarea value={content} onChange={(e) => setContent(e.target.value)} rows={12} />
      </label>
      {page?.has_json_content && <p className="muted">This page was written as formatted blocks; saving new text here replaces them with the text.</p>}
      <div className="row">
        <label>
          <span className="label">Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as Page['status'])}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === 'PUBLISHED' ? 'Published' : 'Draft'}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="label">Colour</span>
          <select value={color} onChange={(e) => setColor(e.target.value)}>
            {EDITOR_COLORS.map((c) => (
              <option key={c} value={c}>
                {c ? c.toLowerCase().replace(/_/g, ' ') : 'none'}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="label">Who can read it</span>
          <select value={audience} onChange={(e) => setAudience(e.target.value)}>
            {root ? <option value="EVERYONE">Everyone</option> : <option value="INHERIT">Same as the parent page</option>}
            {!root && <option value="EVERYONE">Everyone who can read the parent page</option>}
            <option value="GROUPS">Members of groups</option>
            {keepsOtherAudience && <option value={audience}>{audience === 'STATIC_USERS' ? 'Named people (set through the API)' : 'Profile conditions (set through the API)'}</option>}
          </select>
        </label>
      </div>
      {page && (
        <div className="row">
          <label>
            <span className="label">Place under</span>
            <select value={parent} onChange={(e) => setParent(e.target.value)}>
              <option value="">Top level</option>
              {placesFor(all, page.id).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="label">Position (1 is first)</span>
            <input type="number" min={1} value={position === '' ? '' : Number(position) + 1} onChange={(e) => setPosition(e.target.value === '' ? '' : String(Math.max(0, Number(e.target.value) - 1)))} />
          </label>
        </div>
      )}
      {audience === 'GROUPS' && (
        <fieldset>
          <legend>Groups</legend>
          {joined.data?.data.map((g) => (
            <label key={g.id} className="check">
              <input type="checkbox" checked={groups.includes(g.id)} onChange={(e) => setGroups(e.target.checked ? [...groups, g.id] : groups.filter((x) => x !== g.id))} /> {g.name}
            </label>
          ))}
          {page?.read_audience?.groups
            .filter((g) => !joined.data?.data.some((j) => j.id === g.id))
            .map((g) => (
              <label key={g.id} className="check">
                <input type="checkbox" checked={groups.includes(g.id)} onChange={(e) => setGroups(e.target.checked ? [...groups, g.id] : groups.filter((x) => x !== g.id))} /> {g.name}
              </label>
            ))}
        </fieldset>
      )}
      <ErrorNote error={error} />
      <div className="row">
        <button className="primary" type="submit">
          {page ? 'Save' : 'Create'}
        </button>
        <button type="button" onClick={() => onDone(page?.id ?? null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Adds a photo to a page from a file the editor picks. */
function AddPhoto({ id, onAdded }: { id: string; onAdded: () => void }) {
  const [error, setError] = useState<unknown>();
  const pick = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    try {
      const data = await new Promise<string>((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result));
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(file);
      });
      await post(`/api/knowledge/${id}/photos`, { data, caption: file.name.replace(/\.[a-z0-9]+$/i, '') });
      toast('Photo added');
      onAdded();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <label className="button">
        Add photo
        <input type="file" accept="image/jpeg,image/png,image/gif,image/webp" className="visually-hidden" onChange={(e) => void pick(e.target.files?.[0])} />
      </label>
      <ErrorNote error={error} />
    </>
  );
}

function PageView({ id, canEdit, all, onChange }: { id: string; canEdit: boolean; all: CategorySummary[]; onChange: () => void }) {
  const [mode, setMode] = useState<'view' | 'edit' | 'child'>('view');
  const [confirming, setConfirming] = useState(false);
  const { data, error, reload } = useLoad((signal) => get<Page>(`/api/knowledge/${id}`, signal), [id]);
  if (error) return <ErrorNote error={error instanceof ApiError && error.status === 404 ? new Error('This page does not exist or is not shared with you.') : error} />;
  if (!data) return <Loading />;
  const done = (next: string | null) => {
    setMode('view');
    reload();
    onChange();
    if (next && next !== id) navigate(`/knowledge/${next}`);
  };
  if (mode === 'edit') return <Editor page={data} parentId={data.parent_id} all={all} onDone={done} />;
  if (mode === 'child') return <Editor parentId={data.id} onDone={done} />;
  const remove = async () => {
    setConfirming(false);
    await del(`/api/knowledge/${data.id}`);
    toast('Page deleted');
    onChange();
    navigate(data.parent_id ? `/knowledge/${data.parent_id}` : '/knowledge');
  };
  return (
    <article className="panel kl-page">
      <h1 tabIndex={-1}>
        <span className="kl-swatch" style={{ background: swatch(data.color) }} aria-hidden="true" />
        {data.title} {data.status === 'DRAFT' && <span className="muted">(draft)</span>}
      </h1>
      <p className="muted">
        Updated <Time value={data.last_updated} />
        {data.last_editor && (
          <>
            {' '}by <Link to={`/people/${data.last_editor.id}`}>{data.last_editor.name}</Link>
          </>
        )}
      </p>
      <Document nodes={data.document} />
      {data.photos.length > 0 && (
        <div className="kl-photos">
          {data.photos.map((p) => p.url && (
            <figure key={p.id}>
              <img src={p.url} alt={p.caption ?? `Photo on ${data.title}`} loading="lazy" />
              {p.caption && <figcaption>{p.caption}</figcaption>}
            </figure>
          ))}
        </div>
      )}
      {canEdit && (
        <div className="row">
          <button onClick={() => setMode('edit')}>Edit</button>
          <button onClick={() => setMode('child')}>Add subpage</button>
          <AddPhoto id={data.id} onAdded={reload} />
          <button className="danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        </div>
      )}
      <Dialog open={confirming} title={`Delete “${data.title}”?`} onClose={() => setConfirming(false)}>
        <p>The page and every page under it are deleted for everyone.</p>
        <div className="row">
          <button className="danger solid" onClick={() => void remove()}>
            Delete page
          </button>
          <button onClick={() => setConfirming(false)}>Keep it</button>
        </div>
      </Dialog>
    </article>
  );
}

function QuickLinks({ library, onChange }: { library: Library; onChange: () => void }) {
  const [title, setTitle] = useState('');
  const [link, setLink] = useState('');
  const [error, setError] = useState<unknown>();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await post('/api/knowledge_quick_links', { title, link });
      setTitle('');
      setLink('');
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-label="Quick links">
      <h2>Quick links</h2>
      <ul className="kl-links">
        {library.quick_links.map((l) => (
          <li key={l.id}>
            <a href={l.link} target="_blank" rel="noopener noreferrer">
              {l.title}
            </a>
            {library.can_edit && (
              <button className="link" aria-label={`Remove ${l.title}`} onClick={() => void del(`/api/knowledge_quick_links/${l.id}`).then(onChange)}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {library.can_edit && (
        <form onSubmit={add} aria-label="Add a quick link">
          <input aria-label="Quick link title" placeholder="Title" value={title} onChange={(e) => setTitle(e.target.value)} required />
          <input aria-label="Quick link URL" placeholder="https://…" type="url" value={link} onChange={(e) => setLink(e.target.value)} required />
          <button type="submit">Add link</button>
          <ErrorNote error={error} />
        </form>
      )}
    </section>
  );
}

/** The Knowledge Library: the tree of pages the member may read, search, quick links, a page, and the editor. */
export function KnowledgeScreen({ id }: { id?: string }) {
  const { data, error, reload } = useLoad((signal) => get<Library>('/api/knowledge', signal), []);
  const [creating, setCreating] = useState(false);
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading />;
  return (
    <div className="layout kl">
      <nav className="panel" aria-label="Knowledge Library pages">
        <Search />
        <Tree all={data.categories} parent={null} current={id} />
        {data.categories.length === 0 && <p className="muted">No pages yet.</p>}
        {data.can_edit && (
          <button onClick={() => setCreating(true)} disabled={creating}>
            New page
          </button>
        )}
      </nav>
      <div>
        {creating ? (
          <Editor
            parentId={null}
            onDone={(next) => {
              setCreating(false);
              reload();
              if (next) navigate(`/knowledge/${next}`);
            }}
          />
        ) : id ? (
          <PageView id={id} canEdit={data.can_edit} all={data.categories} onChange={reload} />
        ) : (
          <div className="panel">
            <h1 tabIndex={-1}>Knowledge Library</h1>
            <p className="muted">Pages your company shares with you: pick one on the left, or search.</p>
          </div>
        )}
        {(data.quick_links.length > 0 || data.can_edit) && (
          <div className="panel">
            <QuickLinks library={data} onChange={reload} />
          </div>
        )}
      </div>
    </div>
  );
}
