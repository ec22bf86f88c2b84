import { Fragment, type ReactNode } from 'react';
import { MENTION_CLOSE, MENTION_OPEN, type MarkdownNode, parseMarkdown, safeHref } from '../../../src/markdown';

export { safeHref };

/** A mention in a message: offsets are UTF-16 units into the text, as Graph gives them. */
export interface MessageTag {
  id: string;
  name: string;
  type: 'user' | 'page';
  offset: number;
  length: number;
}

export interface RenderOptions {
  tags?: readonly MessageTag[];
  /** Where a mention links to. */
  mentionHref?: (tag: MessageTag) => string;
  onNavigate?: (href: string) => void;
}

/** Replaces each tagged span with a placeholder the renderer turns into a mention. */
function markTags(text: string, tags: readonly MessageTag[]): string {
  const clean = text.replace(/[\uE000\uE001]/g, '');
  if (clean !== text || !tags.length) return clean;
  let out = '';
  let last = 0;
  [...tags]
    .map((tag, index) => ({ tag, index }))
    .sort((a, b) => a.tag.offset - b.tag.offset)
    .forEach(({ tag, index }) => {
      if (tag.offset < last || tag.offset + tag.length > text.length) return;
      out += text.slice(last, tag.offset) + MENTION_OPEN + index + MENTION_CLOSE;
      last = tag.offset + tag.length;
    });
  return out + text.slice(last);
}

function render(nodes: readonly MarkdownNode[], o: RenderOptions, key: string): ReactNode[] {
  return nodes.map((node, i) => {
    const k = `${key}.${i}`;
    switch (node.kind) {
      case 'text':
        return <Fragment key={k}>{node.text}</Fragment>;
      case 'break':
        return <br key={k} />;
      case 'mention': {
        const tag = o.tags?.[node.index];
        return tag ? <Mention key={k} tag={tag} o={o} /> : null;
      }
      case 'element': {
        const children = render(node.children, o, k);
        if (node.tag === 'a') {
          return node.href ? (
            <a key={k} href={node.href} target="_blank" rel="noopener noreferrer nofollow">
              {children}
            </a>
          ) : (
            <Fragment key={k}>{children}</Fragment>
          );
        }
        if (node.tag === 'hr') return <hr key={k} />;
        const Tag = node.tag;
        return <Tag key={k}>{children}</Tag>;
      }
    }
  });
}

const PLAIN = /(https?:\/\/[^\s<]+[^\s<.,:;"')\]!?])|\uE000(\d+)\uE001|\n/g;

/** Plain text: only links, mentions and line breaks. */
function plainInline(text: string, o: RenderOptions, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(new RegExp(PLAIN.source, 'g'))) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const k = `${key}.${n++}`;
    if (m[1] !== undefined) {
      out.push(
        <a key={k} href={m[1]} target="_blank" rel="noopener noreferrer nofollow">
          {m[1]}
        </a>,
      );
    } else if (m[2] !== undefined) {
      const tag = o.tags?.[Number(m[2])];
      if (tag) out.push(<Mention key={k} tag={tag} o={o} />);
    } else out.push(<br key={k} />);
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function Mention({ tag, o }: { tag: MessageTag; o: RenderOptions }) {
  const href = o.mentionHref?.(tag);
  if (!href) return <span className={`mention mention-${tag.type}`}>{tag.name}</span>;
  return (
    <a
      className={`mention mention-${tag.type}`}
      href={href}
      onClick={(e) => {
        if (!o.onNavigate) return;
        e.preventDefault();
        o.onNavigate(href);
      }}
    >
      {tag.name}
    </a>
  );
}

/**
 * Renders a message as React elements, never as HTML: Markdown in the shared subset
 * (src/markdown.ts, markdown-it: emphasis, code, lists, quotes, headings, http(s) links) when
 * `markdown`, else plain text with links; mentions from the tags.
 * Whatever the text holds, it can only ever become text nodes and the elements listed here.
 */
export function Message({ text, markdown, ...o }: RenderOptions & { text: string | null | undefined; markdown?: boolean }) {
  if (!text) return null;
  const marked = markTags(text, o.tags ?? []);
  if (!markdown) {
    return (
      <div className="message">
        {marked.split(/\n{2,}/).map((para, i) => (
          <p key={i}>{plainInline(para, o, `p${i}`)}</p>
        ))}
      </div>
    );
  }
  return <div className="message markdown">{render(parseMarkdown(marked), o, 'm')}</div>;
}

/** A document already parsed into safe nodes (a Knowledge Library page): rendered as React elements, never as HTML. */
export function Document({ nodes }: { nodes: readonly MarkdownNode[] }) {
  return <div className="message markdown document">{render(nodes, {}, 'd')}</div>;
}
