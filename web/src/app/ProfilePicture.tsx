import { useEffect, useState } from 'react';
import { del, sendWithProgress } from '../shared/api';
import { PictureEditor } from '../shared/PictureEditor';

/** The links the server answers after a picture change. */
export interface PictureLinks {
  picture_url: string | null;
  picture_large_url: string | null;
}

const CHANGED = 'commonplace:my-picture';

/** The signed-in member's avatar link, kept current when they change it on their profile. */
export function useMyPicture(initial: string | null | undefined): string | null {
  const [url, setUrl] = useState(initial ?? null);
  useEffect(() => setUrl(initial ?? null), [initial]);
  useEffect(() => {
    const changed = (event: Event) => setUrl((event as CustomEvent<PictureLinks>).detail.picture_url);
    window.addEventListener(CHANGED, changed);
    return () => window.removeEventListener(CHANGED, changed);
  }, []);
  return url;
}

/** Upload, change or remove your own picture (PUT/DELETE /api/me/picture). */
export function OwnPictureEditor({ current, onChange }: { current: string | null; onChange: (links: PictureLinks) => void }) {
  const changed = (links: PictureLinks) => {
    onChange(links);
    window.dispatchEvent(new CustomEvent(CHANGED, { detail: links }));
  };
  return (
    <PictureEditor
      whose="your"
      current={current}
      save={async (picture, onProgress) => changed(await sendWithProgress<PictureLinks>('PUT', '/api/me/picture', { picture }, onProgress))}
      remove={async () => changed(await del<PictureLinks>('/api/me/picture'))}
    />
  );
}
