// Bounded concurrency: a polite client never has more than N requests in flight.

/** A counting semaphore. */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = Math.max(1, size);
  }
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/** A fetch that lets at most `size` requests (with their bodies read) run at once. */
export function limitedFetch(size: number, inner: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch {
  const gate = new Semaphore(size);
  return (input, init) =>
    gate.run(async () => {
      const response = await inner(input, init);
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    });
}

/** Runs `work` over items with at most `size` at a time; the first error stops new work and is thrown. */
export async function eachLimited<T>(items: readonly T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        await work(items[i]!, i);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, size), items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** Parses an interval such as 15m, 1h, 30s, 2d into milliseconds. */
export function parseInterval(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) throw new Error(`not an interval: ${JSON.stringify(text)} (use e.g. 30s, 15m, 1h)`);
  const unit = (m[2] ?? 'm').toLowerCase();
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms']!;
  if (ms < 1000) throw new Error(`interval ${text} is shorter than a second`);
  return ms;
}
