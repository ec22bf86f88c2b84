/**
 * Remembers where the pages of recent list requests ended, so a client walking a list with
 * `startIndex += count` gets each next page by keyset (`id > last`) instead of an OFFSET that
 * grows with every page. Per process, bounded, and only a shortcut: a miss falls back to OFFSET.
 */
export class ListCursors {
  private readonly entries = new Map<string, string>();
  constructor(private readonly capacity = 2000) {}

  private key(list: string, filter: string | undefined, startIndex: number): string {
    return `${list}\n${(filter ?? '').trim()}\n${startIndex}`;
  }

  /** The id the page starting at `startIndex` follows, when a previous page ended just before it. */
  after(list: string, filter: string | undefined, startIndex: number): string | undefined {
    return this.entries.get(this.key(list, filter, startIndex));
  }

  /** Records that the page ending before `nextIndex` ended at `lastId`. */
  remember(list: string, filter: string | undefined, nextIndex: number, lastId: string): void {
    const key = this.key(list, filter, nextIndex);
    this.entries.delete(key);
    this.entries.set(key, lastId);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
