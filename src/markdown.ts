import MarkdownIt, { type Token } from 'markdown-it';

// The Markdown subset of posts and comments, shared by the server and the web apps: emphasis,
// strike-through, code, fenced code, headings, lists, quotes, rules, and http(s)/mailto links.
// markdown-it parses in linear time (no backtracking regex over the whole text), never emits raw
// HTML here (html: false, and the tree below has no HTML node), and every link passes safeHref.

/** One node of a rendered message: text, a line break, a mention placeholder, or an element of the subset. */
export type MarkdownNode =
  | { kind: 'text'; text: string }
  | { kind: 'break' }
  | { kind: 'mention'; index: number }
  | { kind: 'element'; tag: MarkdownTag; href?: string; children: MarkdownNode[] };

export type MarkdownTag = 'p' | 'strong' | 'em' | 'del' | 'code' | 'pre' | 'h3' | 'h4' | 'h5' | 'h6' | 'ul' | 'ol' | 'li' | 'blockquote' | 'hr' | 'a';

/** Marks a mention in the text: MENTION_OPEN, the tag's index, MENTION_CLOSE. */
export const MENTION_OPEN = '\uE000';
export const MENTION_CLOSE = '\uE001';
const MENTION = /\uE000(\d+)\uE001/g;

/** http(s) and mailto only: anything else (javascript:, data:) stays text. */
export function safeHref(url: string): string | null {
  return /^(https?:\/\/|mailto:)/i.test(url.trim()) ? url.trim() : null;
}

const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true, maxNesting: 20 });
md.enable(['paragraph', 'heading', 'hr', 'blockquote', 'list', 'fence', 'code', 'newline', 'escape', 'entity', 'backticks', 'emphasis', 'strikethrough', 'link', 'linkify']);
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
md.validateLink = (url) => safeHref(url) !== null;

const BLOCK_TAGS: Record<string, MarkdownTag> = {
  paragraph: 'p',
  bullet_list: 'ul',
  ordered_list: 'ol',
  list_item: 'li',
  blockquote: 'blockquote',
  strong: 'strong',
  em: 'em',
  s: 'del',
  link: 'a',
};

function textNodes(text: string): MarkdownNode[] {
  const out: MarkdownNode[] = [];
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) });
    out.push({ kind: 'mention', index: Number(m[1]) });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

const stripMentions = (text: string) => text.replace(/[\uE000\uE001]/g, '');

/** Turns markdown-it's flat token stream into a tree; tokens outside the subset become their text. */
function build(tokens: Token[]): MarkdownNode[] {
  const root: MarkdownNode[] = [];
  const stack: MarkdownNode[][] = [root];
  const push = (node: MarkdownNode) => stack[stack.length - 1].push(node);
  for (const token of tokens) {
    const base = token.type.replace(/_(open|close)$/, '');
    // The paragraphs of a tight list are hidden: their content goes straight into the item.
    if (token.hidden && base === 'paragraph') continue;
    if (token.nesting === 1) {
      const tag: MarkdownTag | undefined = base === 'heading' ? (`h${Math.min(6, Number(token.tag.slice(1)) + 2)}` as MarkdownTag) : Object.hasOwn(BLOCK_TAGS, base) ? BLOCK_TAGS[base] : undefined;
      const node: MarkdownNode = { kind: 'element', tag: tag ?? 'p', children: [] };
      if (tag === 'a') {
        const href = safeHref(String(token.attrGet('href') ?? ''));
        if (href) node.href = href;
      }
      push(node);
      stack.push(node.children);
    } else if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
    } else if (token.type === 'inline') {
      for (const child of build(token.children ?? [])) push(child);
    } else if (token.type === 'text') {
      for (const node of textNodes(token.content)) push(node);
    } else if (token.type === 'code_inline') {
      push({ kind: 'element', tag: 'code', children: [{ kind: 'text', text: stripMentions(token.content) }] });
    } else if (token.type === 'fence' || token.type === 'code_block') {
      push({ kind: 'element', tag: 'pre', children: [{ kind: 'element', tag: 'code', children: [{ kind: 'text', text: stripMentions(token.content.replace(/\n$/, '')) }] }] });
    } else if (token.type === 'hardbreak' || token.type === 'softbreak') {
      push({ kind: 'break' });
    } else if (token.type === 'hr') {
      push({ kind: 'element', tag: 'hr', children: [] });
    } else if (token.content) {
      for (const node of textNodes(token.content)) push(node);
    }
  }
  return root;
}

/** Parses a message in the Markdown subset into a tree of safe nodes (mention placeholders kept). */
export function parseMarkdown(text: string): MarkdownNode[] {
  return build(md.parse(text, {}));
}
