import type { Context } from '../../context.js';
import type { Db } from '../../db/database.js';
import type { Actor } from '../actor.js';

/** What every command receives: the context, who acts, and the caller's transaction. */
export interface Write {
  ctx: Context;
  actor: Actor;
  trx: Db;
}
