import { useId, useRef, useState } from 'react';
import { readDataUrl } from './api';
import { Avatar, ErrorNote } from './ui';

const TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
/** The server's upload limit (src/domain/media.ts MAX_UPLOAD_BYTES). */
const MAX_BYTES = 10 * 1024 * 1024;

/** Why a picked file cannot be a picture, or null when it can. */
export function pictureProblem(file: File): string | null {
  if (!TYPES.includes(file.type)) return `“${file.name}” is not a JPEG, PNG, GIF or WebP image.`;
  if (file.size > MAX_BYTES) return `“${file.name}” is ${(file.size / 1024 / 1024).toFixed(1)} MB; a picture may be at most 10 MB.`;
  return null;
}

interface Props {
  /** Whose picture (for labels): "your" or a person's name. */
  whose: string;
  current: string | null;
  /** Uploads the picture (a data: URL), reporting progress 0–1. */
  save: (dataUrl: string, onProgress: (fraction: number) => void) => Promise<void>;
  remove: () => Promise<void>;
}

/**
 * Picks, previews, uploads (with progress) or removes a profile picture. The server crops it
 * to a centred square, so the preview shows that crop.
 */
export function PictureEditor({ whose, current, save, remove }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const statusId = useId();
  // The picked picture as a data: URL: it is both the preview (the CSP allows no blob: images) and what is sent.
  const [picked, setPicked] = useState<{ name: string; dataUrl: string } | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');
  const pick = async (file: File | undefined) => {
    setError(undefined);
    setDone('');
    if (input.current) input.current.value = '';
    if (!file) return;
    const problem = pictureProblem(file);
    if (problem) return setError(new Error(problem));
    try {
      setPicked({ name: file.name, dataUrl: await readDataUrl(file) });
    } catch {
      setError(new Error(`“${file.name}” could not be read.`));
    }
  };
  const upload = async () => {
    if (!picked) return;
    setError(undefined);
    setProgress(0);
    try {
      await save(picked.dataUrl, setProgress);
      setPicked(null);
      setDone('Picture saved.');
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  };
  const clear = async () => {
    setError(undefined);
    setDone('');
    try {
      await remove();
      setDone('Picture removed.');
    } catch (e) {
      setError(e);
    }
  };
  const busy = progress !== null;
  return (
    <div className="picture-editor" aria-label={`Change ${whose} picture`} role="group">
      {picked && (
        <div className="row">
          <Avatar src={picked.dataUrl} name="Preview of the new picture" size={88} />
          <div>
            <div>
              <strong>Preview</strong> <span className="muted">({picked.name}; cropped to a centred square)</span>
            </div>
            {busy && (
              <p>
                <progress max={1} value={progress} aria-label="Upload progress" /> {Math.round(progress * 100)}%
              </p>
            )}
            <div className="row">
              <button type="button" className="primary" onClick={() => void upload()} disabled={busy}>
                {busy ? 'Uploading…' : 'Save picture'}
              </button>
              <button type="button" onClick={() => setPicked(null)} disabled={busy}>
                Cancel
              </button>
            </div>
          </div>
        </div>
      )}
      {!picked && (
        <div className="row">
          <button type="button" onClick={() => input.current?.click()}>
            {current ? 'Change picture' : 'Add a picture'}
          </button>
          {current && (
            <button type="button" className="danger" onClick={() => void clear()}>
              Remove picture
            </button>
          )}
        </div>
      )}
      <input ref={input} type="file" accept={TYPES.join(',')} className="visually-hidden" aria-label={`Choose ${whose} picture`} onChange={(e) => void pick(e.target.files?.[0])} />
      <p id={statusId} role="status" className="muted" style={{ margin: 0 }}>
        {done}
      </p>
      <ErrorNote error={error} />
    </div>
  );
}
