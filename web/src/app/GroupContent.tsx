import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useState } from 'react';
import { del, get, post, put, sendWithProgress } from '../shared/api';
import { Link } from '../shared/router';
import { Avatar, Dialog, ErrorNote, Loading, Time, toast, useLoad } from '../shared/ui';
import type { Group, Post, ProfileRef } from './types';

// The group page's content tabs (Files, Docs, Photos, Videos), requests to join, and the doc editor.
// Everything goes through /api/groups/{id}/…; doc HTML is sanitized by the server on the way in.

export type GroupTab = 'feed' | 'files' | 'docs' | 'photos' | 'videos';
interface FileItem {
  id: string;
  name: string;
  size: number;
  mime_type: string;
  url: string;
  is_image: boolean;
  from: ProfileRef | null;
  message: string | null;
  updated_time: string;
}
interface DocSummary {
  id: string;
  title: string;
  revision: number;
  from: ProfileRef | null;
  updated_time: string;
}
interface Doc extends DocSummary {
  body: string;
  can_edit: boolean;
  can_delete: boolean;
  revisions: { revision: number; title: string; from: ProfileRef | null; created_time: string }[];
}
interface PhotoItem {
  id: string;
  url: string | null;
  caption: string | null;
  album_id: string | null;
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "Request to join" for groups that need approval; "Requested" (withdraw) once asked. */
export function RequestToJoin({ group }: { group: Group }) {
  const state = useLoad((signal) => get<{ requested: boolean; can_request: boolean }>(`/api/groups/${group.id}/join_request`, signal), [group.id]);
  const [error, setError] = useState<unknown>();
  if (!state.data) return null;
  const act = async (method: 'POST' | 'DELETE') => {
    try {
      await (method === 'POST' ? post(`/api/groups/${group.id}/join_request`) : del(`/api/groups/${group.id}/join_request`));
      toast(method === 'POST' ? `Asked to join ${group.name}` : 'Request withdrawn');
      state.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      {state.data.requested ? (
        <button type="button" onClick={() => act('DELETE')} aria-label={`Withdraw the membership request for ${group.name}`}>
          Requested · withdraw
        </button>
      ) : (
        <button type="button" className="primary" onClick={() => act('POST')} aria-label={`Request membership of ${group.name}`}>
          Request to join
        </button>
      )}
      <ErrorNote error={error} />
    </>
  );
}

/** Pending requests to join, for the group's admins and moderators. */
export function JoinRequests({ group, onChange }: { group: Group; onChange: () => void }) {
  const list = useLoad((signal) => (group.can_moderate ? get<{ data: (ProfileRef & { requested_time: string })[] }>(`/api/groups/${group.id}/member_requests`, signal) : Promise.resolve(null)), [group.id, group.can_moderate]);
  if (!list.data || list.data.data.length === 0) return null;
  const answer = async (memberId: string, approve: boolean) => {
    await (approve ? post(`/api/groups/${group.id}/member_requests/${memberId}`) : del(`/api/groups/${group.id}/member_requests/${memberId}`));
    toast(approve ? 'Request approved' : 'Request declined');
    list.reload();
    onChange();
  };
  return (
    <section className="panel" aria-labelledby="requests">
      <h2 id="requests">Requests to join</h2>
      <ul className="picker">
        {list.data.data.map((m) => (
          <li key={m.id} className="spread" style={{ padding: '0.25rem 0' }}>
            <span className="row">
              <Avatar src={m.picture_url} name="" size={28} /> <Link to={`/people/${m.id}`}>{m.name}</Link> <span className="muted">asked <Time value={m.requested_time} /></span>
            </span>
            <span className="row">
              <button type="button" className="primary" onClick={() => answer(m.id, true)} aria-label={`Approve ${m.name}`}>
                Approve
              </button>
              <button type="button" onClick={() => answer(m.id, false)} aria-label={`Decline ${m.name}`}>
                Decline
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface VideoItem {
  id: string;
  title: string | null;
  description: string | null;
  source: string | null;
  from: ProfileRef | null;
  created_time: string;
}

/**
 * One file upload with progress: posts `file` (and the non-empty `fields`) as multipart to `url`,
 * then calls `onDone`. `progress` is null when nothing is being sent.
 */
function useUpload<T>(url: string, onDone: (file: File, answer: T) => void) {
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const pick = async (file: File | undefined, fields: Record<string, string>) => {
    if (!file) return;
    setError(undefined);
    setProgress(0);
    try {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) if (value) form.append(name, value);
      form.append('file', file, file.name);
      onDone(file, await sendWithProgress<T>('POST', url, form, setProgress));
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  };
  return { progress, error, pick };
}

function UploadProgress({ value }: { value: number | null }) {
  if (value === null) return null;
  return (
    <div className="row" role="status">
      <progress max={1} value={value} aria-label="Upload progress" /> <span>{Math.round(value * 100)}%</span>
    </div>
  );
}

function FilesTab({ group }: { group: Group }) {
  const files = useLoad((signal) => get<{ data: FileItem[]; next: string | null }>(`/api/groups/${group.id}/files`, signal), [group.id]);
  const [message, setMessage] = useState('');
  const [preview, setPreview] = useState<FileItem | null>(null);
  const { progress, error, pick: send } = useUpload<FileItem>(`/api/groups/${group.id}/files`, (file) => {
    toast(`${file.name} uploaded`);
    setMessage('');
    files.reload();
  });
  const pick = (file: File | undefined) => send(file, { message });
  return (
    <section aria-labelledby="files-title">
      <h2 id="files-title" className="visually-hidden">
        Files
      </h2>
      {group.can_post && (
        <div className="panel stack">
          <label className="label" htmlFor="file-message">
            Say something about the file (optional)
          </label>
          <input id="file-message" value={message} onChange={(e) => setMessage(e.target.value)} placeholder="What is it?" />
          <label className="label" htmlFor="file-pick">
            Upload a file
          </label>
          <input id="file-pick" type="file" disabled={progress !== null} onChange={(e) => void pick(e.target.files?.[0] ?? undefined).then(() => (e.target.value = ''))} />
          <UploadProgress value={progress} />
          <ErrorNote error={error} />
        </div>
      )}
      <ErrorNote error={files.error} />
      {files.loading && !files.data && <Loading />}
      {files.data && files.data.data.length === 0 && <p className="muted">No files yet.</p>}
      {files.data && files.data.data.length > 0 && (
        <div className="table-wrap panel">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Size</th>
                <th>Shared by</th>
                <th>Updated</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {files.data.data.map((f) => (
                <tr key={f.id}>
                  <td>
                    {f.is_image ? (
                      <button type="button" className="link" onClick={() => setPreview(f)} aria-label={`Preview ${f.name}`}>
                        <img src={f.url} alt="" width={32} height={32} className="icon" /> {f.name}
                      </button>
                    ) : (
                      <span>
                        <img src="/media/file-icon.svg" alt="" width={32} height={32} /> {f.name}
                      </span>
                    )}
                    {f.message && <div className="muted">{f.message}</div>}
                  </td>
                  <td>{sizeText(f.size)}</td>
                  <td>{f.from?.name ?? ''}</td>
                  <td>
                    <Time value={f.updated_time} />
                  </td>
                  <td>
                    <a href={f.url} download={f.name} aria-label={`Download ${f.name}`}>
                      Download
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={preview !== null} title={preview?.name ?? ''} onClose={() => setPreview(null)}>
        {preview && <img src={preview.url} alt={preview.name} style={{ maxWidth: '100%', maxHeight: '70vh' }} />}
        <div className="actions">
          <button type="button" onClick={() => setPreview(null)}>
            Close
          </button>
        </div>
      </Dialog>
    </section>
  );
}

/** The rich-text editor of docs (Tiptap); its HTML is sanitized again by the server. */
function DocEditor({ initial, onSave, onCancel }: { initial?: { title: string; body: string }; onSave: (title: string, body: string) => Promise<void>; onCancel: () => void }) {
  const [title, setTitle] = useState(initial?.title ?? '');
  const [error, setError] = useState<unknown>();
  // Re-rendered on each transaction so the toolbar's pressed states follow the cursor.
  const editor = useEditor({ extensions: [StarterKit], content: initial?.body ?? '', shouldRerenderOnTransaction: true, editorProps: { attributes: { class: 'doc-editor message', 'aria-label': 'Doc text', role: 'textbox', 'aria-multiline': 'true' } } });
  const button = (label: string, run: () => void, active: boolean) => (
    <button type="button" aria-pressed={active} onClick={run}>
      {label}
    </button>
  );
  return (
    <form
      className="panel stack"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await onSave(title, editor?.getHTML() ?? '');
        } catch (err) {
          setError(err);
        }
      }}
    >
      <label className="label" htmlFor="doc-title">
        Title
      </label>
      <input id="doc-title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={255} />
      {editor && (
        <div className="row" role="toolbar" aria-label="Formatting">
          {button('Bold', () => editor.chain().focus().toggleBold().run(), editor.isActive('bold'))}
          {button('Italic', () => editor.chain().focus().toggleItalic().run(), editor.isActive('italic'))}
          {button('Heading', () => editor.chain().focus().toggleHeading({ level: 2 }).run(), editor.isActive('heading', { level: 2 }))}
          {button('Bullet list', () => editor.chain().focus().toggleBulletList().run(), editor.isActive('bulletList'))}
          {button('Numbered list', () => editor.chain().focus().toggleOrderedList().run(), editor.isActive('orderedList'))}
        </div>
      )}
      <EditorContent editor={editor} />
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Save doc
        </button>
      </div>
    </form>
  );
}

function DocView({ id, onBack }: { id: string; onBack: () => void }) {
  const doc = useLoad((signal) => get<Doc>(`/api/docs/${id}`, signal), [id]);
  const [editing, setEditing] = useState(false);
  if (doc.error) return <ErrorNote error={doc.error} />;
  if (!doc.data) return <Loading />;
  const d = doc.data;
  if (editing)
    return (
      <DocEditor
        initial={{ title: d.title, body: d.body }}
        onCancel={() => setEditing(false)}
        onSave={async (title, body) => {
          await put(`/api/docs/${d.id}`, { title, body });
          toast('Doc saved');
          setEditing(false);
          doc.reload();
        }}
      />
    );
  return (
    <article className="panel" aria-labelledby="doc-title-view">
      <div className="spread">
        <button type="button" onClick={onBack}>
          ← All docs
        </button>
        <span className="row">
          {d.can_edit && (
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          {d.can_delete && (
            <button
              type="button"
              onClick={async () => {
                await del(`/api/docs/${d.id}`);
                toast('Doc deleted');
                onBack();
              }}
            >
              Delete
            </button>
          )}
        </span>
      </div>
      <h2 id="doc-title-view">{d.title}</h2>
      <p className="muted">
        {d.from?.name} · revision {d.revision} · <Time value={d.updated_time} />
      </p>
      {/* The body was sanitized by the server (sanitize-html) when it was written. */}
      <div className="message doc-body" dangerouslySetInnerHTML={{ __html: d.body }} />
      {d.revisions.length > 1 && (
        <details>
          <summary>{d.revisions.length} revisions</summary>
          <ul>
            {d.revisions.map((r) => (
              <li key={r.revision}>
                Revision {r.revision} · {r.title} · {r.from?.name} · <Time value={r.created_time} />
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

function DocsTab({ group }: { group: Group }) {
  const docs = useLoad((signal) => get<{ data: DocSummary[]; can_create: boolean }>(`/api/groups/${group.id}/docs`, signal), [group.id]);
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  if (open) return <DocView id={open} onBack={() => (setOpen(null), docs.reload())} />;
  if (creating)
    return (
      <DocEditor
        onCancel={() => setCreating(false)}
        onSave={async (title, body) => {
          const doc = await post<Doc>(`/api/groups/${group.id}/docs`, { title, body });
          toast('Doc created');
          setCreating(false);
          setOpen(doc.id);
        }}
      />
    );
  return (
    <section aria-labelledby="docs-title">
      <div className="spread">
        <h2 id="docs-title">Docs</h2>
        {docs.data?.can_create && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New doc
          </button>
        )}
      </div>
      <ErrorNote error={docs.error} />
      {docs.loading && !docs.data && <Loading />}
      {docs.data && docs.data.data.length === 0 && <p className="muted">No docs yet.</p>}
      <ul className="picker panel">
        {docs.data?.data.map((d) => (
          <li key={d.id}>
            <button type="button" onClick={() => setOpen(d.id)}>
              <img src="/media/doc-icon.svg" alt="" width={28} height={28} />
              <span>
                <strong>{d.title}</strong>
                <span className="muted">
                  {' '}
                  · {d.from?.name} · <Time value={d.updated_time} />
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PhotosTab({ group }: { group: Group }) {
  const photos = useLoad((signal) => get<{ data: PhotoItem[]; albums: { id: string; name: string }[] }>(`/api/groups/${group.id}/photos`, signal), [group.id]);
  const [preview, setPreview] = useState<PhotoItem | null>(null);
  return (
    <section aria-labelledby="photos-title">
      <h2 id="photos-title">Photos</h2>
      <ErrorNote error={photos.error} />
      {photos.loading && !photos.data && <Loading />}
      {photos.data && photos.data.albums.length > 0 && (
        <p className="chips" aria-label="Albums">
          {photos.data.albums.map((a) => (
            <span key={a.id} className="chip">
              {a.name}
            </span>
          ))}
        </p>
      )}
      {photos.data && photos.data.data.length === 0 && <p className="muted">No photos yet.</p>}
      <div className="photo-grid">
        {photos.data?.data.map((p) =>
          p.url ? (
            <button key={p.id} type="button" onClick={() => setPreview(p)} aria-label={`Open photo ${p.caption ?? p.id}`}>
              <img src={p.url} alt={p.caption ?? ''} loading="lazy" />
            </button>
          ) : null,
        )}
      </div>
      <Dialog open={preview !== null} title={preview?.caption || 'Photo'} onClose={() => setPreview(null)}>
        {preview?.url && <img src={preview.url} alt={preview.caption || 'Photo'} style={{ maxWidth: '100%', maxHeight: '70vh' }} />}
        <div className="actions">
          <button type="button" onClick={() => setPreview(null)}>
            Close
          </button>
        </div>
      </Dialog>
    </section>
  );
}

function VideosTab({ group }: { group: Group }) {
  const videos = useLoad((signal) => get<{ data: VideoItem[] }>(`/api/groups/${group.id}/videos`, signal), [group.id]);
  const [title, setTitle] = useState('');
  const { progress, error, pick: send } = useUpload<VideoItem>(`/api/groups/${group.id}/videos`, (file) => {
    toast(`${file.name} uploaded`);
    setTitle('');
    videos.reload();
  });
  const pick = (file: File | undefined) => send(file, { title });
  return (
    <section aria-labelledby="videos-title">
      <h2 id="videos-title">Videos</h2>
      {group.can_post && (
        <div className="panel stack">
          <label className="label" htmlFor="video-title">
            Title (optional)
          </label>
          <input id="video-title" value={title} onChange={(e) => setTitle(e.target.value)} />
          <label className="label" htmlFor="video-pick">
            Upload a video
          </label>
          <input id="video-pick" type="file" accept="video/*" disabled={progress !== null} onChange={(e) => void pick(e.target.files?.[0] ?? undefined).then(() => (e.target.value = ''))} />
          <UploadProgress value={progress} />
          <ErrorNote error={error} />
        </div>
      )}
      <ErrorNote error={videos.error} />
      {videos.loading && !videos.data && <Loading />}
      {videos.data && videos.data.data.length === 0 && <p className="muted">No videos yet.</p>}
      {videos.data?.data.map((v) => (
        <figure key={v.id} className="panel video">
          {v.source && <video src={v.source} controls preload="metadata" aria-label={v.title ?? 'Video'} />}
          <figcaption>
            <strong>{v.title ?? 'Untitled video'}</strong>
            <span className="muted">
              {' '}
              · {v.from?.name} · <Time value={v.created_time} />
            </span>
            {v.description && <div>{v.description}</div>}
          </figcaption>
        </figure>
      ))}
    </section>
  );
}

/** A post's group files and video, under its photos. */
export function PostAttachments({ post }: { post: Pick<Post, 'files' | 'video'> }) {
  return (
    <>
      {post.video?.source && (
        <figure className="video">
          <video src={post.video.source} controls preload="metadata" aria-label={post.video.title ?? 'Video'} />
        </figure>
      )}
      {post.files && post.files.length > 0 && (
        <ul className="picker post-files" aria-label="Files">
          {post.files.map((f) => (
            <li key={f.id} className="row">
              <img src={f.is_image ? f.url : '/media/file-icon.svg'} alt="" width={32} height={32} className="icon" />
              <a href={f.url} download={f.name}>
                {f.name}
              </a>
              <span className="muted">{sizeText(f.size)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The content of a non-feed tab. */
export function GroupContent({ group, tab }: { group: Group; tab: Exclude<GroupTab, 'feed'> }) {
  if (!group.can_read) return <p className="panel">Only members see the content of this group.</p>;
  if (tab === 'files') return <FilesTab group={group} />;
  if (tab === 'docs') return <DocsTab group={group} />;
  if (tab === 'videos') return <VideosTab group={group} />;
  return <PhotosTab group={group} />;
}
