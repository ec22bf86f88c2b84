import type { KnowledgeCategoryTable, KnowledgeStatus } from '../db/knowledgeSchema.js';
import type { MemberRow } from '../db/repositories/member.js';
import { invalidParameter } from '../errors.js';
import { type MarkdownNode, type MarkdownTag, parseMarkdown, safeHref } from '../markdown.js';

// The Knowledge Library's vocabulary and rules: Workplace's enums (matched case-insensitively,
// as its own clients send `Red`), the read audience of a category and who it lets read, and the
// page content (`json_content` block tree or `content` text) as a tree of safe nodes.

export const KNOWLEDGE_STATUSES = ['PUBLISHED', 'DRAFT'] as const satisfies readonly KnowledgeStatus[];

/** Workplace's category colours (reference page "Knowledge Library: Category"). */
export const KNOWLEDGE_COLORS = [
  'LIGHT_GRAY', 'LIGHT_CYAN', 'LIGHT_TEAL', 'LIGHT_YELLOW', 'LIGHT_ORANGE', 'LIGHT_ORANGE_RED', 'LIGHT_RED', 'LIGHT_PINK', 'LIGHT_PURPLE',
  'GRAY', 'CYAN', 'TEAL', 'GREEN', 'YELLOW', 'ORANGE', 'ORANGE_RED', 'RED', 'PINK', 'PURPLE',
  'DARK_GRAY', 'DARK_CYAN', 'DARK_TEAL', 'DARK_YELLOW', 'DARK_ORANGE', 'DARK_ORANGE_RED', 'DARK_RED', 'DARK_PINK', 'DARK_PURPLE',
] as const;

/** Workplace's category icons. */
export const KNOWLEDGE_ICONS = [
  'AIRPLANE', 'PROFILE_CIRCLE', 'SCALE', 'HEART', 'BUILDING_CITY', 'PRIVACY', 'RIBBON', 'DIAGNOSED', 'BACKPACK', 'COIN_STACK',
  'BADGE', 'READING_GLASSES', 'RUNNING', 'MENTORSHIP', 'DOCUMENTS', 'PIN_LOCAL_BUSINESS', 'TROPHY', 'STAR', 'FOUNDED', 'QUESTION_CIRCLE',
  'FLASH_DEFAULT', 'COMPASS', 'BADGE_CHECKMARK', 'ROCKET', 'ARMCHAIR', 'HEALTH', 'VOLUNTEER', 'TOOTH', 'FAMILY', 'MORTAR_BOARD',
] as const;

// Workplace documents read_audience as "Users/Groups/Conditional access based on profile
// fields" without listing its enum; these names follow that sentence (docs/graph-api.md).
export const AUDIENCE_TYPES = ['EVERYONE', 'INHERIT', 'GROUPS', 'STATIC_USERS', 'PROFILE_FIELDS'] as const;
export type AudienceType = (typeof AUDIENCE_TYPES)[number];

/** Profile fields a condition can test, and the member column each reads. */
export const PROFILE_CONDITION_FIELDS = {
  TITLE: 'title',
  DEPARTMENT: 'department',
  DIVISION: 'division',
  ORGANIZATION: 'organization',
  COST_CENTER: 'cost_center',
  LOCATION: 'primary_address',
  LOCALE: 'locale',
} as const satisfies Record<string, keyof MemberRow>;
export const PROFILE_CONDITION_OPERATORS = ['EQUALS', 'CONTAINS', 'STARTS_WITH'] as const;

export interface ProfileCondition {
  field: keyof typeof PROFILE_CONDITION_FIELDS;
  operator: (typeof PROFILE_CONDITION_OPERATORS)[number];
  values: string[];
}

export interface Audience {
  audience_type: AudienceType;
  groups: string[];
  static_users: string[];
  profile_set_conditions: ProfileCondition[];
}

const LIMITS = { ids: 500, conditions: 20, values: 50, valueLength: 200 } as const;

/** One of `allowed`, matched case-insensitively (`Red`, `red`, `RED`). */
export function enumValue<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  const text = typeof value === 'string' ? value.trim() : '';
  const found = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!found) throw invalidParameter(`The parameter ${name} must be one of ${allowed.join(', ')}`);
  return found;
}

function idList(name: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
  const ids = list.map((v) => (typeof v === 'object' && v !== null && 'id' in v ? (v as { id: unknown }).id : v)).map((v) => String(v ?? '').trim()).filter(Boolean);
  if (ids.some((id) => !/^\d{1,20}$/.test(id))) throw invalidParameter(`read_audience.${name} must list ids`);
  if (ids.length > LIMITS.ids) throw invalidParameter(`read_audience.${name} takes at most ${LIMITS.ids} ids`);
  return [...new Set(ids)];
}

function conditionList(value: unknown): ProfileCondition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter('read_audience.profile_set_conditions must be a list of {field, operator, values}');
  if (value.length > LIMITS.conditions) throw invalidParameter(`read_audience.profile_set_conditions takes at most ${LIMITS.conditions} conditions`);
  return value.map((c) => {
    if (typeof c !== 'object' || c === null) throw invalidParameter('Each profile condition is an object {field, operator, values}');
    const raw = c as Record<string, unknown>;
    const field = enumValue('read_audience.profile_set_conditions.field', raw.field, Object.keys(PROFILE_CONDITION_FIELDS) as ProfileCondition['field'][]);
    const operator = raw.operator === undefined ? 'EQUALS' : enumValue('read_audience.profile_set_conditions.operator', raw.operator, PROFILE_CONDITION_OPERATORS);
    const list = Array.isArray(raw.values) ? raw.values : raw.values === undefined ? [] : [raw.values];
    const values = list.map((v) => String(v ?? '').trim()).filter(Boolean);
    if (values.length === 0) throw invalidParameter(`The profile condition on ${field} needs at least one value`);
    if (values.length > LIMITS.values || values.some((v) => v.length > LIMITS.valueLength)) throw invalidParameter(`A profile condition takes at most ${LIMITS.values} values of ${LIMITS.valueLength} characters`);
    return { field, operator, values };
  });
}

/** The read audience as sent (JSON object), checked; a root category cannot inherit. */
export function parseAudience(value: unknown, isRoot: boolean): Audience {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter('The parameter read_audience must be a JSON object {audience_type, groups, static_users, profile_set_conditions}');
  const raw = value as Record<string, unknown>;
  const audience: Audience = {
    audience_type: raw.audience_type === undefined ? 'EVERYONE' : enumValue('read_audience.audience_type', raw.audience_type, AUDIENCE_TYPES),
    groups: idList('groups', raw.groups),
    static_users: idList('static_users', raw.static_users),
    profile_set_conditions: conditionList(raw.profile_set_conditions),
  };
  if (audience.audience_type === 'INHERIT' && isRoot) throw invalidParameter('A root category has no parent to inherit its audience from');
  if (audience.audience_type === 'EVERYONE' || audience.audience_type === 'INHERIT') return { ...audience, groups: [], static_users: [], profile_set_conditions: [] };
  if (audience.audience_type === 'GROUPS' && audience.groups.length === 0) throw invalidParameter('read_audience with audience_type GROUPS needs groups');
  if (audience.audience_type === 'STATIC_USERS' && audience.static_users.length === 0) throw invalidParameter('read_audience with audience_type STATIC_USERS needs static_users');
  if (audience.audience_type === 'PROFILE_FIELDS' && audience.profile_set_conditions.length === 0) throw invalidParameter('read_audience with audience_type PROFILE_FIELDS needs profile_set_conditions');
  return audience;
}

export function defaultAudience(isRoot: boolean): Audience {
  return { audience_type: isRoot ? 'EVERYONE' : 'INHERIT', groups: [], static_users: [], profile_set_conditions: [] };
}

export function audienceOf(row: KnowledgeCategoryTable): Audience {
  return {
    audience_type: row.audience_type as AudienceType,
    groups: JSON.parse(row.audience_groups) as string[],
    static_users: JSON.parse(row.audience_users) as string[],
    profile_set_conditions: JSON.parse(row.audience_conditions) as ProfileCondition[],
  };
}

/**
 * Who is reading: editors (system admins, Knowledge Library editors, the operator) and
 * integrations scoped to all groups see every category; drafts only with `drafts`. A member
 * qualifies by group, by name or by profile; a group-scoped integration only through a group
 * in its scope.
 */
export type KnowledgeReader =
  | { kind: 'everything'; drafts: boolean }
  | { kind: 'member'; member: MemberRow; groupIds: ReadonlySet<string> }
  | { kind: 'scoped'; groupIds: ReadonlySet<string>; drafts: boolean };

function matches(member: MemberRow, c: ProfileCondition): boolean {
  const value = String(member[PROFILE_CONDITION_FIELDS[c.field]] ?? '').toLowerCase();
  if (!value) return false;
  return c.values.some((v) => {
    const want = v.toLowerCase();
    return c.operator === 'EQUALS' ? value === want : c.operator === 'CONTAINS' ? value.includes(want) : value.startsWith(want);
  });
}

function admits(reader: KnowledgeReader, audience: Audience): boolean {
  if (audience.audience_type === 'EVERYONE' || reader.kind === 'everything') return true;
  if (reader.kind === 'scoped') return audience.groups.some((g) => reader.groupIds.has(g));
  const m = reader.member;
  return (
    audience.groups.some((g) => reader.groupIds.has(g)) ||
    audience.static_users.includes(m.id) ||
    (audience.profile_set_conditions.length > 0 && audience.profile_set_conditions.every((c) => matches(m, c)))
  );
}

const seesDrafts = (reader: KnowledgeReader) => reader.kind !== 'member' && reader.drafts;

/**
 * The ids of the categories the reader may read: its own status and audience, and every
 * ancestor's (a hidden category hides its subtree; INHERIT takes the parent's audience).
 */
export function readableCategoryIds(rows: readonly KnowledgeCategoryTable[], reader: KnowledgeReader): Set<string> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const memo = new Map<string, boolean>();
  const visit = (row: KnowledgeCategoryTable, depth: number): boolean => {
    const known = memo.get(row.id);
    if (known !== undefined) return known;
    const parent = row.parent_id ? byId.get(row.parent_id) : undefined;
    let ok = depth < 64 && (row.status === 'PUBLISHED' || seesDrafts(reader));
    if (ok && row.parent_id) ok = !!parent && visit(parent, depth + 1);
    if (ok && row.audience_type !== 'INHERIT') ok = admits(reader, audienceOf(row));
    memo.set(row.id, ok);
    return ok;
  };
  return new Set(rows.filter((r) => visit(r, 0)).map((r) => r.id));
}

// ---- page content ----

/** A node of Workplace's `json_content` block tree: `{type, children?, text?, url?}` plus text marks. */
export interface ContentBlock {
  type: string;
  text?: string;
  url?: string;
  bold?: boolean;
  italic?: boolean;
  strikethrough?: boolean;
  code?: boolean;
  children?: ContentBlock[];
}

const CONTENT_LIMITS = { depth: 20, nodes: 20_000, text: 200_000 } as const;
const BLOCK_TYPES: Record<string, MarkdownTag> = {
  p: 'p', paragraph: 'p', h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6', h6: 'h6',
  ul: 'ul', ol: 'ol', li: 'li', blockquote: 'blockquote', code_block: 'pre', pre: 'pre', hr: 'hr', a: 'a', link: 'a',
};

/** `json_content` as sent, checked and reduced to the fields a block tree uses. */
export function parseJsonContent(value: unknown): ContentBlock[] {
  let count = 0;
  let chars = 0;
  const walk = (v: unknown, depth: number): ContentBlock => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidParameter('json_content must be a list of blocks {type, children} or {type: "text", text}');
    if (++count > CONTENT_LIMITS.nodes || depth > CONTENT_LIMITS.depth) throw invalidParameter(`json_content takes at most ${CONTENT_LIMITS.nodes} blocks, nested at most ${CONTENT_LIMITS.depth} deep`);
    const raw = v as Record<string, unknown>;
    if (typeof raw.type !== 'string' || !raw.type) throw invalidParameter('Every json_content block needs a type');
    const block: ContentBlock = { type: raw.type.slice(0, 40) };
    if (raw.text !== undefined) {
      if (typeof raw.text !== 'string') throw invalidParameter('json_content text must be a string');
      chars += raw.text.length;
      if (chars > CONTENT_LIMITS.text) throw invalidParameter(`json_content holds at most ${CONTENT_LIMITS.text} characters of text`);
      block.text = raw.text;
    }
    const url = raw.url ?? raw.href;
    if (typeof url === 'string' && safeHref(url)) block.url = safeHref(url)!;
    for (const mark of ['bold', 'italic', 'strikethrough', 'code'] as const) if (raw[mark] === true) block[mark] = true;
    if (raw.children !== undefined) {
      if (!Array.isArray(raw.children)) throw invalidParameter('json_content children must be a list');
      block.children = raw.children.map((c) => walk(c, depth + 1));
    }
    return block;
  };
  const list = Array.isArray(value) ? value : [value];
  return list.map((b) => walk(b, 0));
}

/** The text of a block tree: one line per block, for `content` and search. */
export function blocksText(blocks: readonly ContentBlock[]): string {
  const lines: string[] = [];
  let line = '';
  const walk = (b: ContentBlock) => {
    if (b.text !== undefined) line += b.text;
    for (const c of b.children ?? []) walk(c);
    if (b.type !== 'text' && b.type !== 'a' && b.type !== 'link' && line) {
      lines.push(line);
      line = '';
    }
  };
  blocks.forEach(walk);
  if (line) lines.push(line);
  return lines.join('\n\n');
}

function blockNodes(b: ContentBlock): MarkdownNode[] {
  if (b.type === 'text' || b.children === undefined) {
    if (b.type === 'hr') return [{ kind: 'element', tag: 'hr', children: [] }];
    let nodes: MarkdownNode[] = (b.text ?? '').split('\n').flatMap((t, i) => (i ? [{ kind: 'break' as const }, { kind: 'text' as const, text: t }] : [{ kind: 'text' as const, text: t }]));
    if (b.code) nodes = [{ kind: 'element', tag: 'code', children: nodes }];
    if (b.strikethrough) nodes = [{ kind: 'element', tag: 'del', children: nodes }];
    if (b.italic) nodes = [{ kind: 'element', tag: 'em', children: nodes }];
    if (b.bold) nodes = [{ kind: 'element', tag: 'strong', children: nodes }];
    if (b.url) nodes = [{ kind: 'element', tag: 'a', href: b.url, children: nodes }];
    return nodes;
  }
  const children = b.children.flatMap(blockNodes);
  const tag = BLOCK_TYPES[b.type.toLowerCase()];
  if (!tag) return children;
  if (tag === 'a') return b.url ? [{ kind: 'element', tag: 'a', href: b.url, children }] : children;
  if (tag === 'pre') return [{ kind: 'element', tag: 'pre', children: [{ kind: 'element', tag: 'code', children }] }];
  return [{ kind: 'element', tag, children }];
}

/** The page as safe nodes: from the block tree when there is one, else from the Markdown text. */
export function categoryDocument(row: Pick<KnowledgeCategoryTable, 'json_content' | 'content'>): MarkdownNode[] {
  if (row.json_content) return (JSON.parse(row.json_content) as ContentBlock[]).flatMap(blockNodes);
  return parseMarkdown(row.content.replace(/[\uE000\uE001]/g, ''));
}

/** What search looks through: title and text, lower-cased. */
export function searchTextOf(title: string, content: string): string {
  return `${title}\n${content}`.toLowerCase();
}
