import type { ListPosition } from '../domain/accountQuery.js';

/**
 * Remembers where the pages of recent list requests ended, per list, filter and sort, so a
 * client walking a list with `startIndex += count` gets each next page by keyset (after the
 * last row's sort key and id) instead of skipping rows, and a jump starts from the nearest
 * earlier page end. Per process, bounded, and only a shortcut: without one the repository
 * skips over the index alone.
 */
export class ListCursors {
  private readonly lists = new Map<string, Map<number, ListPosition>>();
  constructor(
    private readonly capacity = 500,
    private readonly perList = 200,
  ) {}

  private key(list: string, filter: string | undefined, sort: string): string {
    return `${list}\n${(filter ?? '').trim()}\n${sort}`;
  }

  /** The nearest remembered start at or before `startIndex`: its index and the row it follows. */
  nearest(list: string, filter: string | undefined, sort: string, startIndex: number): { startIndex: number; after: ListPosition } | undefined {
    const ends = this.lists.get(this.key(list, filter, sort));
    if (!ends) return undefined;
    let best: number | undefined;
    for (const index of ends.keys()) if (index <= startIndex && (best === undefined || index > best)) best = index;
    return best === undefined ? undefined : { startIndex: best, after: ends.get(best)! };
  }

  /** Records that the page ending before `nextIndex` ended at `last`. */
  remember(list: string, filter: string | undefined, sort: string, nextIndex: number, last: ListPosition): void {
    const key = this.key(list, filter, sort);
    let ends = this.lists.get(key);
    if (ends) this.lists.delete(key);
    else ends = new Map();
    this.lists.set(key, ends);
    ends.delete(nextIndex);
    ends.set(nextIndex, last);
    if (ends.size > this.perList) ends.delete(ends.keys().next().value!);
    if (this.lists.size > this.capacity) this.lists.delete(this.lists.keys().next().value!);
  }
}
