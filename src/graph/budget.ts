import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../errors.js';
import type { FieldNode } from './fields.js';

/** Rows one request may render by default (COMMONPLACE_REQUEST_MAX_ROWS); the other limits derive from it. */
export const DEFAULT_MAX_ROWS = 25_000;

/** Rows of an edge without `.limit()`, as the renderer uses. */
const DEFAULT_EDGE_ROWS = 25;

/** A request that has rendered this many rows counts as heavy and waits for one of the heavy slots. */
const HEAVY_ROWS = 500;
/** Heavy requests rendering at once in one process; the others wait their turn without holding the event loop. */
const HEAVY_SLOTS = 1;

/** A counting semaphore: acquire() resolves with the function that gives the slot back. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(count: number) {
    this.free = count;
  }
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

const heavySlots = new Slots(HEAVY_SLOTS);

/** Graph answers a call that asks for too much with error 1 and this message. */
function tooCostly(what: string): AppError {
  return new AppError('request_too_costly', `Please reduce the amount of data you're asking for, then retry your request (${what})`);
}

/**
 * What one HTTP request may cost: the rows it renders, the rows a single load may fetch
 * (parents × limit), the rows its field selection could ask for at worst (nesting × limits), and
 * the bytes of its answer. A batch shares one budget across its items. Loads give the event loop
 * a turn every few milliseconds, and only a couple of heavy calls render at once (the others
 * wait), so heavy calls never hold up the rest of the server for long. Call finish() at the end.
 */
export class RequestBudget {
  private rows = 0;
  private bytes = 0;
  private lastTurn = performance.now();
  private releaseSlot: (() => void) | undefined;

  constructor(readonly maxRows: number = DEFAULT_MAX_ROWS) {}

  get maxPlannedRows(): number {
    return this.maxRows * 4;
  }
  get maxShapeRows(): number {
    return this.maxRows * 40;
  }
  get maxBytes(): number {
    return this.maxRows * 640;
  }

  /** Rows rendered so far. */
  get rowsRendered(): number {
    return this.rows;
  }

  /**
   * Refuses a field selection whose worst case is beyond the budget, before anything loads:
   * `topRows` objects (the page of a top-level list, or one), each with every nested edge full.
   */
  checkShape(fields: readonly FieldNode[] | undefined, topRows: number, maxPageSize: number): void {
    const worst = topRows + shapeRows(fields ?? [], topRows, maxPageSize);
    if (worst > this.maxShapeRows) throw tooCostly(`the fields and limits could select ${worst > 1e12 ? 'over 10^12' : worst} objects; at most ${this.maxShapeRows}`);
  }

  /** Refuses one load of up to `rows` rows (parents × limit) beyond what a load may fetch. */
  plan(rows: number): void {
    if (rows > this.maxPlannedRows) throw tooCostly(`one nested edge could load ${rows} objects; at most ${this.maxPlannedRows}`);
  }

  /** Counts rendered rows; gives the event loop a turn when this request has held it for a while. */
  async charge(rows: number): Promise<void> {
    this.rows += rows;
    if (this.rows > this.maxRows) throw tooCostly(`more than ${this.maxRows} objects`);
    if (!this.releaseSlot && this.rows > HEAVY_ROWS) this.releaseSlot = await heavySlots.acquire();
    await this.pause();
  }

  /** Gives back the heavy slot, if this request took one. */
  finish(): void {
    this.releaseSlot?.();
  }

  /** Counts the bytes of one part of the answer (a batch item). */
  chargeBytes(bytes: number): void {
    this.bytes += bytes;
    this.checkAnswer(this.bytes);
  }

  /** Refuses a whole answer of this many bytes. */
  checkAnswer(bytes: number): void {
    if (bytes > this.maxBytes) throw tooCostly(`an answer over ${Math.round(this.maxBytes / 1e6)} MB`);
  }

  /** Lets other requests run when this one has run for more than a few milliseconds since its last turn (or always, between batch items). */
  async pause(always = false): Promise<void> {
    if (!always && performance.now() - this.lastTurn < 1) return;
    await nextTurn();
    this.lastTurn = performance.now();
  }

  /** Rate-limit points beyond the first for a call that rendered `rows` rows: one per hundred. */
  static extraPoints(rows: number): number {
    return Math.floor(rows / 100);
  }
}

/** Worst-case rows below `parents` objects: a node with children or `.limit()` is a list. */
function shapeRows(nodes: readonly FieldNode[], parents: number, maxPageSize: number): number {
  let total = 0;
  for (const node of nodes) {
    const listed = node.modifiers.limit !== undefined || node.children !== undefined;
    if (!listed) continue;
    const limit = /^\d+$/.test(node.modifiers.limit?.trim() ?? '') ? Math.min(Number(node.modifiers.limit), maxPageSize) : DEFAULT_EDGE_ROWS;
    const rows = parents * limit;
    total += rows + shapeRows(node.children ?? [], rows, maxPageSize);
    if (total > 1e15) return total;
  }
  return total;
}
