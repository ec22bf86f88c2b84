import type { Position } from '../db/keyset.js';
import { invalidParameter } from '../errors.js';
import type { EdgePage, EdgeQuery, EdgeSpec, Presentation } from '../presenters/types.js';

// Feeds page by time, as Graph paged them: `next` is the request's own parameters followed by
// `until=<unix s of the last item>&__paging_token=…`, and `previous` by
// `since=<unix s of the first item>&__paging_token=…&__previous=1`. Clients cut `next` at
// "&until=" and append the tail to their own URL, so the tail alone must carry the position:
// the token holds the exact keyset position (time in ms and id, so items sharing a second are
// never skipped or repeated) and the window (since/until) of the first request. `until`/`since`
// in a link are informative; with a token they are not read. Every page with data carries both
// links; the page past either end is `{"data": []}` with no paging, where clients stop.

/** Parameters a time-paged link sets itself; the request's own values of them are not repeated. */
const LINK_PARAMS = ['since', 'until', '__paging_token', '__previous', 'after', 'before'];

interface PagingToken {
  /** The keyset position: the item's sort time (ms) and id. */
  position: Position;
  /** The window of the first request (ms), kept across pages. */
  since?: number;
  until?: number;
}

function encodeToken(token: PagingToken): string {
  return Buffer.from(JSON.stringify([token.position.sort, token.position.id, token.since ?? null, token.until ?? null])).toString('base64url');
}

function decodeToken(text: string): PagingToken {
  try {
    const [sort, id, since, until] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    const time = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
    if (typeof sort === 'number' && typeof id === 'string' && /^\d{1,20}$/.test(id) && time(since) && time(until)) {
      return { position: { sort, id }, since: since ?? undefined, until: until ?? undefined };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('Param __paging_token is not a valid paging token');
}

/** True when an edge pages by time for this order (feeds, newest first). */
export function pagesByTime(edge: Pick<EdgeSpec<unknown>, 'paging'>, order: EdgeQuery['order']): boolean {
  return edge.paging === 'time' && order !== 'chronological';
}

function lastValue(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** The request's `__paging_token`, when it continues a time-paged walk. */
export function pagingTokenOf(values: Record<string, unknown>): string | undefined {
  const token = lastValue(values.__paging_token);
  if (token === undefined || token === null || token === '') return undefined;
  if (typeof token !== 'string') throw invalidParameter('Param __paging_token must be a string');
  return token;
}

/**
 * Continues a time-paged walk where the link pointed: after the token's position (next), or
 * before it with `__previous=1`, within the first request's window.
 */
export function resumeFromToken(q: EdgeQuery, values: Record<string, unknown>, token: string): EdgeQuery {
  const { position, since, until } = decodeToken(token);
  const previous = String(lastValue(values.__previous) ?? '').trim();
  const backward = previous !== '' && previous !== '0' && previous.toLowerCase() !== 'false';
  return { ...q, since, until, after: backward ? undefined : position, before: backward ? position : undefined };
}

/** The `previous` and `next` links of a time-paged page with data, as Graph built them. */
export function timeLinks(
  p: Presentation,
  path: string,
  params: Record<string, string>,
  page: EdgePage<unknown>,
  edge: Pick<EdgeSpec<unknown>, 'position'>,
  q: EdgeQuery,
): { previous: string; next: string } {
  const first = edge.position(page.rows[0]);
  const last = edge.position(page.rows[page.rows.length - 1]);
  // The request's own parameters in its own order (carried ones such as access_token included).
  const own = new URLSearchParams({ ...params, ...p.carry });
  for (const name of LINK_PARAMS) own.delete(name);
  if (!own.has('limit')) own.set('limit', String(q.limit));
  const link = (tail: [string, string][]) => `${p.graphBase}/${path}?${own.toString()}&${new URLSearchParams(tail).toString()}`;
  const token = (position: Position) => encodeToken({ position, since: q.since, until: q.until });
  const seconds = (position: Position) => String(Math.floor(Number(position.sort) / 1000));
  return {
    previous: link([
      ['since', seconds(first)],
      ['__paging_token', token(first)],
      ['__previous', '1'],
    ]),
    next: link([
      ['until', seconds(last)],
      ['__paging_token', token(last)],
    ]),
  };
}

// Offset paging (`offset` + `limit`), Graph's third and rarest style, on every list: the page is
// read as the first `offset + limit` items, so the window is bounded; deeper lists take cursors.
export const MAX_OFFSET_WINDOW = 5000;

/** The request's `offset`, when it pages by offset. */
export function offsetOf(values: Record<string, unknown>): number | undefined {
  const raw = lastValue(values.offset);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const text = String(raw).trim();
  if (!/^\d+$/.test(text)) throw invalidParameter('Param offset must be a non-negative integer');
  return Number(text);
}

/** One page by offset, from a loader of the first `n` items. */
export async function offsetPage<Row>(load: (limit: number) => Promise<EdgePage<Row>>, offset: number, limit: number): Promise<EdgePage<Row>> {
  if (offset + limit > MAX_OFFSET_WINDOW) {
    throw invalidParameter(`offset + limit may be at most ${MAX_OFFSET_WINDOW}; page further with the cursors (after=) of paging.next`);
  }
  const page = await load(offset + limit);
  return { rows: page.rows.slice(offset), hasNext: page.hasNext, hasPrevious: offset > 0 };
}

/** `previous`/`next` links of an offset page: the request's own parameters with the offset moved. */
export function offsetLinks(p: Presentation, path: string, params: Record<string, string>, page: EdgePage<unknown>, offset: number, limit: number): Record<string, string> {
  const link = (to: number) => {
    const query = new URLSearchParams({ ...params, ...p.carry });
    for (const name of [...LINK_PARAMS, 'offset', 'limit']) query.delete(name);
    query.set('limit', String(limit));
    query.set('offset', String(to));
    return `${p.graphBase}/${path}?${query.toString()}`;
  };
  const out: Record<string, string> = {};
  if (page.hasPrevious) out.previous = link(Math.max(0, offset - limit));
  if (page.hasNext) out.next = link(offset + limit);
  return out;
}
