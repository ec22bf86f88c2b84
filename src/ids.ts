import { randomBytes } from 'node:crypto';
import type { Db } from './db/database.js';
import { insertIdNode, listIdNodes, renewIdNode, takeOverIdNode } from './db/repositories/idNode.js';

// Ids are numeric strings like Workplace's, 16 digits, and never above 2^53 − 1 so that a client
// that sends one as a JSON number keeps every digit:
//
//   id = 10^15 + tick · 2^15 + node · 2^8 + sequence
//
// tick counts 10 ms since 2024-01-01 (room until 2101), node (0–127) is a lease the process holds
// in the database — so several processes on one database never make the same id — and sequence
// (0–255) counts the ids of one tick; a process that runs out borrows the next tick, so its ids
// keep rising. Ids made before this scheme have 17 digits (≥ 10^16): they stay valid and can
// never equal a new one.
const EPOCH = Date.UTC(2024, 0, 1);
const TICK_MS = 10;
const SEQUENCES = 2 ** 8;
const NODES = 2 ** 7;
const PER_TICK = SEQUENCES * NODES;
const BASE = 10 ** 15;
const MAX_TICK = Math.floor((Number.MAX_SAFE_INTEGER - BASE) / PER_TICK) - 1;
/** How long a lease lasts without renewal; a crashed process's node is free again after this. */
const LEASE_MS = 5 * 60_000;
const RENEW_MS = 60_000;

/** Makes ids for one process; holds its node lease in every database it writes to. */
export class IdGenerator {
  private node: number | undefined;
  private lastTick = 0;
  private sequence = SEQUENCES - 1;
  private readonly holder = randomBytes(12).toString('hex');
  private readonly leases = new Map<Db, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** The node number this process holds, once a database granted one. */
  get nodeNumber(): number | undefined {
    return this.node;
  }

  next(): string {
    const now = this.now();
    if (this.node === undefined || this.leases.size === 0) throw new Error('No id node lease is held: open the database through openContext first');
    for (const expires of this.leases.values()) if (now >= expires) throw new Error('The id node lease expired without renewal');
    let tick = Math.max(Math.floor((now - EPOCH) / TICK_MS), this.lastTick);
    if (tick === this.lastTick) {
      this.sequence += 1;
      if (this.sequence === SEQUENCES) {
        tick += 1;
        this.sequence = 0;
      }
    } else this.sequence = 0;
    if (tick > MAX_TICK) throw new Error('The id space is exhausted');
    this.lastTick = tick;
    return String(BASE + tick * PER_TICK + this.node * SEQUENCES + this.sequence);
  }

  /**
   * Takes a node lease in a database: the lowest node nobody holds (or whose holder let it
   * expire), or, when this process already holds a node in another database, that same node.
   * A new holder starts after the ticks its predecessor recorded.
   */
  async attach(db: Db): Promise<void> {
    if (this.leases.has(db)) return;
    const now = this.now();
    const byNode = new Map((await listIdNodes(db)).map((r) => [r.node, r]));
    const candidates = this.node === undefined ? Array.from({ length: NODES }, (_, i) => i) : [this.node];
    for (const node of candidates) {
      const seen = byNode.get(node);
      if (seen && seen.holder !== this.holder && seen.expires_time > now) continue;
      const lastTick = Math.max(this.lastTick, seen?.last_tick ?? 0);
      const lease = { holder: this.holder, expires_time: now + LEASE_MS, last_tick: lastTick };
      const won = seen ? await takeOverIdNode(db, seen, lease) : await insertIdNode(db, { node, ...lease });
      if (!won) continue;
      if (seen && seen.last_tick >= this.lastTick) {
        this.lastTick = seen.last_tick + 1;
        this.sequence = -1;
      }
      this.node = node;
      this.leases.set(db, lease.expires_time);
      this.timer ??= setInterval(() => void this.renew(), RENEW_MS).unref();
      return;
    }
    throw new Error(this.node === undefined ? `All ${NODES} id nodes are held by other processes` : `Id node ${this.node} is held by another process in this database`);
  }

  /** Releases the lease in a database, recording the last tick for whoever takes the node next. */
  async detach(db: Db): Promise<void> {
    if (!this.leases.delete(db)) return;
    if (this.leases.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    await renewIdNode(db, this.node!, this.holder, 0, this.lastTick).catch(() => undefined);
    if (this.leases.size === 0) this.node = undefined;
  }

  /**
   * Renews every lease. A lease lost to another process (this one stalled past expiry) stops id
   * creation until a fresh node is taken.
   */
  async renew(): Promise<void> {
    for (const db of [...this.leases.keys()]) {
      const expires = this.now() + LEASE_MS;
      try {
        if (await renewIdNode(db, this.node!, this.holder, expires, this.lastTick)) {
          this.leases.set(db, expires);
          continue;
        }
        this.leases.delete(db);
        if (this.leases.size === 0) this.node = undefined;
        await this.attach(db);
      } catch {
        // Unreachable database or no free node: ids stop once the lease runs out, and the next renewal tries again.
        if (!this.leases.has(db)) this.leases.set(db, 0);
      }
    }
  }
}

const processIds = new IdGenerator();

/** The process's id generator (openContext attaches it to the database it opens). */
export function processIdGenerator(): IdGenerator {
  return processIds;
}

export function newId(): string {
  return processIds.next();
}

export function isNumericId(value: string): boolean {
  return /^[0-9]{1,20}$/.test(value);
}
