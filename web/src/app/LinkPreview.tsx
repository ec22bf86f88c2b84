import { useEffect } from 'react';
import { get } from '../shared/api';

/** A preview an integration gave for a shared URL (text only: never rendered as HTML). Its image and icon are the server's stored copies (signed same-origin /media links), so the CSP (img-src 'self') lets them load. */
export interface PreviewCard {
  url: string;
  title: string;
  description: string | null;
  image_url: string | null;
  icon_url: string | null;
  type: string | null;
  fields: { title: string; value: string }[];
}

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
};

/** The cards of an object's link previews. */
export function LinkPreviews({ previews, compact }: { previews: PreviewCard[] | undefined; compact?: boolean }) {
  if (!previews?.length) return null;
  return (
    <div className={`link-previews${compact ? ' compact' : ''}`}>
      {previews.map((x) => (
        <a key={x.url} className="link-preview" href={x.url} target="_blank" rel="noopener noreferrer nofollow" data-preview={x.url}>
          {x.image_url && <img src={x.image_url} alt="" loading="lazy" referrerPolicy="no-referrer" />}
          <span className="body">
            <span className="site">
              {x.icon_url && <img src={x.icon_url} alt="" width={16} height={16} referrerPolicy="no-referrer" />}
              {hostOf(x.url)}
            </span>
            <strong>{x.title}</strong>
            {x.description && <span className="description">{x.description}</span>}
            {x.fields.length > 0 && (
              <dl>
                {x.fields.map((f) => (
                  <div key={f.title}>
                    <dt>{f.title}</dt>
                    <dd>{f.value}</dd>
                  </div>
                ))}
              </dl>
            )}
          </span>
        </a>
      ))}
    </div>
  );
}

const HAS_URL = /\bhttps?:\/\/\S/i;
/** Previews are asked for in the background; a post is looked at again for this long. */
const WATCH_MS = 20_000;
const EVERY_MS = 2_000;

/**
 * Re-reads a post while a preview for this member is on its way (the server says so), or while a
 * fresh post that shares a URL has none yet, until it arrives or the integration's time is up.
 */
export function useArrivingPreviews<T extends { id: string; created_time: string; previews: PreviewCard[]; previews_pending?: boolean }>(item: T, texts: (string | null)[], url: string, onUpdate: (fresh: T) => void) {
  const fresh = item.previews.length === 0 && texts.some((t) => t && HAS_URL.test(t)) && Date.now() - Date.parse(item.created_time) < WATCH_MS;
  const waiting = !!item.previews_pending || fresh;
  useEffect(() => {
    if (!waiting) return;
    const controller = new AbortController();
    const started = Date.now();
    const timer = setInterval(async () => {
      if (Date.now() - started > WATCH_MS) return clearInterval(timer);
      try {
        const next = await get<T>(url, controller.signal);
        if (next.previews.length !== item.previews.length || (!next.previews_pending && !fresh)) {
          clearInterval(timer);
          onUpdate(next);
        }
      } catch {
        clearInterval(timer);
      }
    }, EVERY_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [waiting, item.id]);
}
