import { Fragment, type ReactNode } from 'react';

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

const OPEN = '\uE000';
const CLOSE = '\uE001';

/** http(s) and mailto only: anything else (javascript:, data:) stays text. */
export function safeHref(url: string): string | null {
  return /^(https?:\/\/|mailto:)/i.test(url.trim()) ? url.trim() : null;
}

/** Replaces each tagged span with a placeholder the inline pass turns into a mention. */
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
      out += text.slice(last, tag.offset) + OPEN + index + CLOSE;
      last = tag.offset + tag.length;
    });
  return out + text.slice(last);
}

const INLINE =
  /(`+)([^`]|[^`][\s\S]*?[^`])\1|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|~~([\s\S]+?)~~|\*([^\s*][\s\S]*?)\*|(?<!\w)_([^\s_][\s\S]*?)_(?!\w)|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<]+[^\s<.,:;"')\]!?])|\uE000(\d+)\uE001|\n/g;

function inline(text: string, o: RenderOptions, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(new RegExp(INLINE.source, 'g'))) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const k = `${key}.${n++}`;
    if (m[1]) out.push(<code key={k}>{m[2]}</code>);
    else if (m[3] !== undefined || m[4] !== undefined) out.push(<strong key={k}>{inline(m[3] ?? m[4], o, k)}</strong>);
    else if (m[5] !== undefined) out.push(<del key={k}>{inline(m[5], o, k)}</del>);
    else if (m[6] !== undefined || m[7] !== undefined) out.push(<em key={k}>{inline(m[6] ?? m[7], o, k)}</em>);
    else if (m[8] !== undefined) {
      const href = safeHref(m[9]);
      out.push(
        href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {inline(m[8], o, k)}
          </a>
        ) : (
          <Fragment key={k}>{m[0]}</Fragment>
        ),
      );
    } else if (m[10] !== undefined) {
      out.push(
        <a key={k} href={m[10]} target="_blank" rel="noopener noreferrer nofollow">
          {m[10]}
        </a>,
      );
    } else if (m[11] !== undefined) {
      const tag = o.tags?.[Number(m[11])];
      if (tag) out.push(<Mention key={k} tag={tag} o={o} />);
    } else out.push(<br key={k} />);
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
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

const BLOCK_START = /^(```|#{1,6}\s|\s*[-*+]\s|\s*\d+[.)]\s|>|(-{3,}|\*{3,})\s*$)/;

function blocks(text: string, o: RenderOptions, key: string): ReactNode[] {
  const lines = text.split('\n');
  const out: ReactNode[] = [];
  let i = 0;
  let n = 0;
  while (i < lines.length) {
    const line = lines[i];
    const k = `${key}.${n++}`;
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (line.startsWith('```')) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].startsWith('```')) body.push(lines[i++]);
      i++;
      out.push(
        <pre key={k}>
          <code>{body.join('\n').replace(/[\uE000\uE001]/g, '')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1].length + 2);
      const Tag = `h${level}` as 'h3';
      out.push(<Tag key={k}>{inline(heading[2], o, k)}</Tag>);
      i++;
      continue;
    }
    if (/^(-{3,}|\*{3,})\s*$/.test(line)) {
      out.push(<hr key={k} />);
      i++;
      continue;
    }
    if (line.startsWith('>')) {
      const body: string[] = [];
      while (i < lines.length && lines[i].startsWith('>')) body.push(lines[i++].replace(/^>\s?/, ''));
      out.push(<blockquote key={k}>{blocks(body.join('\n'), o, k)}</blockquote>);
      continue;
    }
    const bullet = /^\s*[-*+]\s+/;
    const numbered = /^\s*\d+[.)]\s+/;
    if (bullet.test(line) || numbered.test(line)) {
      const pattern = bullet.test(line) ? bullet : numbered;
      const items: string[] = [];
      while (i < lines.length && pattern.test(lines[i])) items.push(lines[i++].replace(pattern, ''));
      const children = items.map((item, j) => <li key={j}>{inline(item, o, `${k}.${j}`)}</li>);
      out.push(pattern === bullet ? <ul key={k}>{children}</ul> : <ol key={k}>{children}</ol>);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && (para.length === 0 || !BLOCK_START.test(lines[i]))) para.push(lines[i++]);
    out.push(<p key={k}>{inline(para.join('\n'), o, k)}</p>);
  }
  return out;
}

/**
 * Renders a message as React elements, never as HTML: Markdown (emphasis, code, lists, quotes,
 * headings, http(s) links) when `markdown`, else plain text with links; mentions from the tags.
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
  return <div className="message markdown">{blocks(marked, o, 'm')}</div>;
}
