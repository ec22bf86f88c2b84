import { useState } from 'react';
import { get, post, query } from '../shared/api';
import { Link } from '../shared/router';
import { Avatar, ErrorNote, Loading, toast, useLoad } from '../shared/ui';
import { Composer } from './Composer';
import { GroupEvents } from './GroupEvents';
import type { PollDraft } from './Poll';
import { GroupContent, type GroupTab, JoinRequests, RequestToJoin } from './GroupContent';
import { PostCard } from './PostCard';
import type { Group, Me, Post } from './types';

const PRIVACY: Record<Group['privacy'], string> = { OPEN: 'Public group', CLOSED: 'Closed group', SECRET: 'Secret group' };

function JoinButton({ group, onDone }: { group: Group; onDone: () => void }) {
  const [error, setError] = useState<unknown>();
  if (group.role) return <span className="badge on">{group.role === 'member' ? 'Member' : group.role === 'admin' ? 'Admin' : 'Moderator'}</span>;
  if (!group.can_join) return group.can_request ? <RequestToJoin group={group} /> : <span className="muted">Ask an admin to join</span>;
  return (
    <>
      <button
        type="button"
        className="primary"
        onClick={async () => {
          try {
            await post(`/api/groups/${group.id}/join`);
            toast(`You joined ${group.name}`);
            onDone();
          } catch (e) {
            setError(e);
          }
        }}
        aria-label={`Join ${group.name}`}
      >
        Join
      </button>
      <ErrorNote error={error} />
    </>
  );
}

export function GroupsScreen({ onChange }: { onChange: () => void }) {
  const [q, setQ] = useState('');
  const { data, error, loading, reload } = useLoad((signal) => get<{ data: Group[] }>(`/api/groups${query({ q })}`, signal), [q]);
  const joined = data?.data.filter((g) => g.role) ?? [];
  const others = data?.data.filter((g) => !g.role) ?? [];
  const changed = () => {
    reload();
    onChange();
  };
  const list = (groups: Group[]) => (
    <ul className="picker">
      {groups.map((g) => (
        <li key={g.id} className="spread" style={{ padding: '0.5rem 0', borderBottom: '1px solid var(--line)' }}>
          <span className="row">
            <img className="icon" src="/media/group-icon.svg" alt="" width={40} height={40} />
            <span>
              <Link to={`/groups/${g.id}`}>{g.name}</Link>
              <div className="muted">
                {PRIVACY[g.privacy]} · {g.member_count} {g.member_count === 1 ? 'member' : 'members'}
              </div>
            </span>
          </span>
          <span className="row">
            <JoinButton group={g} onDone={changed} />
          </span>
        </li>
      ))}
    </ul>
  );
  return (
    <>
      <h1 tabIndex={-1}>Groups</h1>
      <div className="panel" role="search">
        <label>
          <span className="label">Find groups</span>
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
      </div>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <section className="panel" aria-labelledby="joined">
            <h2 id="joined">Your groups</h2>
            {joined.length ? list(joined) : <p className="muted">You are not in any group yet.</p>}
          </section>
          <section className="panel" aria-labelledby="discover">
            <h2 id="discover">Discover</h2>
            {others.length ? list(others) : <p className="muted">No other groups to show.</p>}
          </section>
        </>
      )}
    </>
  );
}

/** The tabs of a group page, by the path segment after the group id (`/groups/{id}/events`). */
const GROUP_TABS: { tab: string; label: string }[] = [
  { tab: '', label: 'Feed' },
  { tab: 'files', label: 'Files' },
  { tab: 'docs', label: 'Docs' },
  { tab: 'photos', label: 'Photos' },
  { tab: 'videos', label: 'Videos' },
  { tab: 'events', label: 'Events' },
];
/** Tabs whose content GroupContent shows. */
const CONTENT_TABS: readonly string[] = ['files', 'docs', 'photos', 'videos'];

export function GroupScreen({ id, tab = '', me, onMembership }: { id: string; tab?: string; me: Me; onMembership: () => void }) {
  const current = GROUP_TABS.find((t) => t.tab === tab) ?? GROUP_TABS[0];
  const group = useLoad((signal) => get<Group>(`/api/groups/${id}`, signal), [id]);
  const [version, setVersion] = useState(0);
  const onFeed = current.tab === '';
  const feed = useLoad((signal) => (group.data?.can_read && onFeed ? get<{ data: Post[]; next: string | null }>(`/api/groups/${id}/feed`, signal) : Promise.resolve(null)), [id, group.data?.can_read, onFeed, version]);
  const [older, setOlder] = useState<Post[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  if (group.error) return <ErrorNote error={group.error} />;
  if (!group.data) return <Loading />;
  const g = group.data;
  const cursor = next === undefined ? feed.data?.next : next;
  const publish = async (message: string, photoIds: string[], poll?: PollDraft) => {
    await post<Post>(`/api/groups/${id}/posts`, { message, formatting: 'MARKDOWN', photo_ids: photoIds, poll });
    setOlder([]);
    setNext(undefined);
    setVersion((v) => v + 1);
  };
  const changed = () => {
    group.reload();
    onMembership();
  };
  const posts = [...(feed.data?.data ?? []), ...older];
  return (
    <>
      <div className="panel spread">
        <div className="row">
          <img className="icon" src="/media/group-icon.svg" alt="" width={56} height={56} />
          <div>
            <h1 tabIndex={-1} style={{ marginBottom: 0 }}>
              {g.name}
            </h1>
            <span className="muted">
              {PRIVACY[g.privacy]} · {g.member_count} {g.member_count === 1 ? 'member' : 'members'} {g.archived && '· archived'}
            </span>
          </div>
        </div>
        <div className="row">
          <JoinButton group={g} onDone={changed} />
          {g.role && (
            <button
              type="button"
              onClick={async () => {
                await post(`/api/groups/${id}/leave`);
                toast(`You left ${g.name}`);
                changed();
              }}
            >
              Leave
            </button>
          )}
        </div>
      </div>
      {g.description && <p>{g.description}</p>}
      <JoinRequests group={g} onChange={changed} />
      {!g.can_read && <p className="panel">Only members see the posts of this group.</p>}
      {g.can_read && (
        <nav className="tabs row" aria-label={`${g.name} sections`}>
          {GROUP_TABS.map((t) => (
            <Link key={t.tab} to={t.tab ? `/groups/${id}/${t.tab}` : `/groups/${id}`} aria-current={t === current ? 'page' : undefined}>
              {t.label}
            </Link>
          ))}
        </nav>
      )}
      {g.can_read && current.tab === 'events' && <GroupEvents group={g} />}
      {g.can_read && CONTENT_TABS.includes(current.tab) && <GroupContent group={g} tab={current.tab as Exclude<GroupTab, 'feed'>} />}
      {onFeed && (
        <>
          {g.can_post && (
            <div className="panel">
              <Composer label={`Write something to ${g.name}`} placeholder="Write something… (Markdown works; @ to mention)" submitLabel="Post" onSubmit={publish} photos polls groupId={g.id} />
            </div>
          )}
          {g.role && !g.can_post && !g.archived && <p className="muted">Only admins and moderators post in this group.</p>}
          <ErrorNote error={feed.error} />
          {g.can_read && feed.loading && !feed.data && <Loading />}
          {feed.data && posts.length === 0 && <p className="muted">No posts yet.</p>}
          {posts.map((p) => (
            <PostCard key={p.id} initial={p} meId={me.id} canInteract={g.can_interact} canModerate={g.can_moderate} onDeleted={() => setVersion((v) => v + 1)} />
          ))}
          {cursor && (
            <button
              type="button"
              onClick={async () => {
                const page = await get<{ data: Post[]; next: string | null }>(`/api/groups/${id}/feed${query({ before: cursor })}`);
                setOlder([...older, ...page.data]);
                setNext(page.next);
              }}
            >
              Older posts
            </button>
          )}
        </>
      )}
      {g.members && g.members.length > 0 && (
        <section className="panel" aria-labelledby="members">
          <h2 id="members">Members</h2>
          <ul className="picker">
            {g.members.slice(0, 50).map((m) => (
              <li key={m.id} className="row" style={{ padding: '0.25rem 0' }}>
                <Avatar src={m.picture_url} name="" size={28} /> <Link to={`/people/${m.id}`}>{m.name}</Link>
                {m.role !== 'member' && <span className="badge neutral">{m.role}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
