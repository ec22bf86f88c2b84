import { useState } from 'react';
import { get, query } from '../shared/api';
import { Link } from '../shared/router';
import { ErrorNote, Loading, useLoad } from '../shared/ui';
import { PostCard } from './PostCard';
import type { Me, Post } from './types';

/** Posts from every group the member belongs to, newest first. */
export function HomeFeed({ me }: { me: Me }) {
  const first = useLoad((signal) => get<{ data: Post[]; next: string | null }>('/api/feed', signal), []);
  const [more, setMore] = useState<Post[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const cursor = next === undefined ? first.data?.next : next;
  const loadMore = async () => {
    const page = await get<{ data: Post[]; next: string | null }>(`/api/feed${query({ before: cursor })}`);
    setMore([...more, ...page.data]);
    setNext(page.next);
  };
  const posts = [...(first.data?.data ?? []), ...more];
  return (
    <>
      <h1 tabIndex={-1}>Home</h1>
      <ErrorNote error={first.error} />
      {first.loading && !first.data && <Loading />}
      {first.data && posts.length === 0 && (
        <div className="panel">
          <p>
            Nothing here yet. <Link to="/groups">Join a group</Link> to see its posts.
          </p>
        </div>
      )}
      {posts.map((p) => (
        <PostCard key={p.id} initial={p} meId={me.id} canInteract canModerate={false} showGroup />
      ))}
      {cursor && (
        <button type="button" onClick={loadMore}>
          Older posts
        </button>
      )}
    </>
  );
}
