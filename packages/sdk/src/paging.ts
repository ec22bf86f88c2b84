import type { CollectOptions, PageOptions, Paged } from './types.js';

/** Loads the first page of a list. */
export type FirstPageLoader<T> = (signal?: AbortSignal) => Promise<Paged<T>>;
/** Loads a page from an absolute paging URL. */
export type PageUrlLoader<T> = (url: string, signal?: AbortSignal) => Promise<Paged<T>>;

/** Checks that a response is a Graph list (`{data: [...]}`) and returns it typed. */
export function toPage<T>(body: unknown, where: string): Paged<T> {
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { data?: unknown }).data)) {
    throw new TypeError(`${where} did not answer a Graph list ({"data": [...]})`);
  }
  return body as Paged<T>;
}

/** Walks pages by following paging.next (or paging.previous) verbatim until it is absent. */
export async function* walkPages<T>(
  loadFirst: FirstPageLoader<T>,
  loadUrl: PageUrlLoader<T>,
  options: PageOptions = {},
): AsyncGenerator<Paged<T>, void, undefined> {
  const direction = options.direction ?? 'next';
  const visited = new Set<string>();
  let page = await loadFirst(options.signal);
  for (let count = 1; ; count++) {
    yield page;
    if (options.maxPages !== undefined && count >= options.maxPages) return;
    const link = page.paging?.[direction];
    if (!link) return;
    if (visited.has(link)) throw new Error(`paging.${direction} points back to a page already read: ${link}`);
    visited.add(link);
    page = await loadUrl(link, options.signal);
  }
}

/** A lazy, re-iterable Graph list: iterate items with for-await, or use pages() and collect(). */
export class PageIterable<T> implements AsyncIterable<T> {
  readonly #loadFirst: FirstPageLoader<T>;
  readonly #loadUrl: PageUrlLoader<T>;
  readonly #options: PageOptions;

  constructor(loadFirst: FirstPageLoader<T>, loadUrl: PageUrlLoader<T>, options: PageOptions = {}) {
    this.#loadFirst = loadFirst;
    this.#loadUrl = loadUrl;
    this.#options = options;
  }

  /** Yields whole pages `{data, paging, summary}`; each iteration starts again from the first page. */
  pages(options: PageOptions = {}): AsyncGenerator<Paged<T>, void, undefined> {
    return walkPages(this.#loadFirst, this.#loadUrl, { ...this.#options, ...options });
  }

  /** Yields items across all pages. */
  async *items(options: PageOptions = {}): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages(options)) yield* page.data;
  }

  /** Reads items into an array, stopping (without fetching further pages) once `max` items are in. */
  async collect(options: CollectOptions = {}): Promise<T[]> {
    const { max, ...pageOptions } = options;
    const out: T[] = [];
    if (max !== undefined && max <= 0) return out;
    for await (const item of this.items(pageOptions)) {
      out.push(item);
      if (max !== undefined && out.length >= max) break;
    }
    return out;
  }

  /** Returns the first page only. */
  async first(): Promise<Paged<T>> {
    return this.#loadFirst(this.#options.signal);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.items()[Symbol.asyncIterator]();
  }
}
