import type { Db } from '../db/database.js';
import { findPagesByIds } from '../db/repositories/app.js';
import { findMembersByIds } from '../db/repositories/member.js';

export interface MessageTag {
  id: string;
  name: string;
  type: 'user' | 'page';
  offset: number;
  length: number;
}

const MENTION = /@\[(\d{1,20})(?::[^\]]*)?\]/g;

/**
 * Turns `@[id]` mentions of members and bot pages into their names and records the tags with
 * offsets into the resulting text (UTF-16 units, as Graph counts). Unknown ids stay as written.
 */
export async function resolveMentions(db: Db, message: string | null): Promise<{ message: string | null; tags: MessageTag[] }> {
  if (!message || !message.includes('@[')) return { message, tags: [] };
  const ids = [...message.matchAll(MENTION)].map((m) => m[1]);
  if (ids.length === 0) return { message, tags: [] };
  const [members, pages] = await Promise.all([findMembersByIds(db, ids), findPagesByIds(db, ids)]);
  const names = new Map<string, { name: string; type: 'user' | 'page' }>();
  for (const m of members) if (m.state !== 'deactivated') names.set(m.id, { name: m.name, type: 'user' });
  for (const p of pages) names.set(p.id, { name: p.name, type: 'page' });
  const tags: MessageTag[] = [];
  let out = '';
  let last = 0;
  for (const match of message.matchAll(MENTION)) {
    const found = names.get(match[1]);
    if (!found) continue;
    out += message.slice(last, match.index);
    tags.push({ id: match[1], name: found.name, type: found.type, offset: out.length, length: found.name.length });
    out += found.name;
    last = match.index! + match[0].length;
  }
  out += message.slice(last);
  return { message: out, tags };
}

export function parseTags(json: string): MessageTag[] {
  return JSON.parse(json) as MessageTag[];
}
