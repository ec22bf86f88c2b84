// Slack's incoming-webhook payload (text in mrkdwn, Block Kit blocks, legacy attachments) turned
// into one Markdown message. Pure functions: no database, no I/O. Images are not written into the
// text: each goes through `RenderOptions.image`, which the caller uses to collect them (they are
// fetched and attached as photos) and to write those that could not be fetched as links.

/** Slack's answer strings; each comes with its HTTP status. */
export const slackAnswers = {
  ok: 200,
  invalid_payload: 400,
  invalid_blocks: 400,
  no_text: 400,
  too_many_attachments: 400,
  invalid_thread_ts: 400,
  invalid_token: 403,
  action_prohibited: 403,
  no_service: 404,
  channel_is_archived: 410,
  request_too_large: 413,
  rate_limited: 429,
} as const;

export type SlackAnswer = keyof typeof slackAnswers;

/** A refusal with Slack's answer string. */
export class SlackRefusal extends Error {
  constructor(
    readonly answer: SlackAnswer,
    detail?: string,
  ) {
    super(detail ?? answer);
  }
  get status(): number {
    return slackAnswers[this.answer];
  }
}

export const MAX_BLOCKS = 50;
export const MAX_ATTACHMENTS = 100;
/** Slack truncates text beyond this; Commonplace refuses it instead. */
export const MAX_TEXT = 40_000;

type Json = Record<string, unknown>;

export interface SlackMessage {
  text?: string;
  mrkdwn: boolean;
  blocks: Json[];
  attachments: Json[];
  username?: string;
  iconUrl?: string;
  iconEmoji?: string;
  threadTs?: string;
}

export interface RenderOptions {
  /** Keep `<!here>`, `<!channel>`, `<!everyone>` as audience mentions. */
  allowBroadcast: boolean;
  /** What an image (a safe http(s) URL and its escaped alt text) becomes in the text. */
  image: (url: string, alt: string) => string;
}

/** An image of a Slack message: an image block, a section's or context's image, an attachment's image or thumbnail. */
export interface SlackImage {
  url: string;
  alt: string;
}

/**
 * The images of a message, in order, each once, and the Markdown of the message given which of
 * them are attached (those are left out of the text; the others become links).
 */
export function slackImages(message: SlackMessage, options: Omit<RenderOptions, 'image'>): { images: SlackImage[]; markdown: (attached: ReadonlySet<string>) => string } {
  const images = new Map<string, SlackImage>();
  renderSlackMessage(message, {
    ...options,
    image: (url, alt) => {
      if (!images.has(url)) images.set(url, { url, alt });
      return '';
    },
  });
  return {
    images: [...images.values()],
    markdown: (attached) => renderSlackMessage(message, { ...options, image: (url, alt) => (attached.has(url) ? '' : `[${alt || escapeMarkdown(url)}](${url})`) }),
  };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * Reads a request body as Slack does: a JSON object, or a form whose `payload` field holds
 * one. Throws SlackRefusal('invalid_payload' | 'invalid_blocks' | 'too_many_attachments').
 */
export function parseSlackPayload(raw: string, contentType: string): SlackMessage {
  let text = raw;
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(raw).get('payload');
    if (payload === null) throw new SlackRefusal('invalid_payload', 'a form body needs a payload field');
    text = payload;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SlackRefusal('invalid_payload', 'the body is not JSON');
  }
  if (!isObject(body)) throw new SlackRefusal('invalid_payload', 'the payload must be a JSON object');
  const blocks = body.blocks === undefined ? [] : parseJsonList(body.blocks);
  if (!blocks || blocks.length > MAX_BLOCKS || blocks.some((b) => !isObject(b) || typeof b.type !== 'string')) throw new SlackRefusal('invalid_blocks');
  const attachments = body.attachments === undefined ? [] : parseJsonList(body.attachments);
  if (!attachments || attachments.some((a) => !isObject(a))) throw new SlackRefusal('invalid_payload', 'attachments must be a list of objects');
  if (attachments.length > MAX_ATTACHMENTS) throw new SlackRefusal('too_many_attachments');
  if (body.text !== undefined && typeof body.text !== 'string') throw new SlackRefusal('invalid_payload', 'text must be a string');
  const threadTs = str(body.thread_ts);
  return {
    text: body.text as string | undefined,
    mrkdwn: body.mrkdwn !== false,
    blocks: blocks as Json[],
    attachments: attachments as Json[],
    username: str(body.username),
    iconUrl: str(body.icon_url),
    iconEmoji: str(body.icon_emoji),
    threadTs: threadTs === '' ? undefined : threadTs,
  };
}

/** Slack accepts blocks and attachments as a list or as a JSON string of one. */
function parseJsonList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Backslash-escapes Markdown's punctuation so plain text stays plain. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_~[\]<>#|]/g, (c) => `\\${c}`).replace(/@\[/g, '@\\[');
}

const BROADCASTS = new Set(['here', 'channel', 'everyone']);

function safeUrl(url: string): string | undefined {
  return /^(https?:\/\/|mailto:)/i.test(url) ? url.replace(/[()\s]/g, (c) => encodeURIComponent(c)) : undefined;
}

const unescapeEntities = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** One `<…>` of Slack's markup: links, user and channel mentions, special commands. */
function angle(inner: string, options: RenderOptions): string {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : unescapeEntities(inner.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return /^\d{1,20}$/.test(id) ? `@[${id}]` : `@${escapeMarkdown(label ?? id)}`;
  }
  if (target.startsWith('#')) return `#${escapeMarkdown(label ?? target.slice(1))}`;
  if (target.startsWith('!')) {
    const command = target.slice(1).split('^')[0];
    if (BROADCASTS.has(command)) return options.allowBroadcast ? `@${command}` : command;
    return escapeMarkdown(label ?? command);
  }
  const url = safeUrl(unescapeEntities(target));
  if (!url) return escapeMarkdown(unescapeEntities(label ?? target));
  if (label === undefined) return `[${escapeMarkdown(url)}](${url})`;
  return `[${escapeMarkdown(label)}](${url})`;
}

/** Bold, strike and italic markers of mrkdwn, outside code. */
function emphasis(text: string): string {
  return text
    .replace(/(^|[\s(>])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s).,!?:;<])/gm, '$1**$2**')
    .replace(/(^|[\s(>])~(?=\S)([^~\n]*?\S)~(?=$|[\s).,!?:;<])/gm, '$1~~$2~~');
}

/** Text outside code spans: markup `<…>`, emphasis, entities; literal `@[id]` never mentions. */
function convertProse(text: string, options: RenderOptions, formatted: boolean): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/<([^<>\n]+)>/g)) {
    out += prose(text.slice(last, match.index), formatted);
    out += angle(match[1], options);
    last = match.index! + match[0].length;
  }
  return out + prose(text.slice(last), formatted);
}

function prose(text: string, formatted: boolean): string {
  const plain = unescapeEntities(text).replace(/@\[/g, '@\\[').replace(/</g, '\\<');
  return formatted ? emphasis(plain) : plain.replace(/[*_~`]/g, (c) => `\\${c}`);
}

/** Converts Slack mrkdwn to Markdown; code blocks and inline code pass through untouched. */
export function mrkdwnToMarkdown(text: string, options: RenderOptions, formatted = true): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/```([\s\S]*?)```|`([^`\n]+)`/g)) {
    out += convertProse(text.slice(last, match.index), options, formatted);
    if (match[1] !== undefined) {
      const body = unescapeEntities(match[1]).replace(/^\n/, '').replace(/\n$/, '');
      out += `\n\`\`\`\n${body}\n\`\`\`\n`;
    } else out += `\`${unescapeEntities(match[2])}\``;
    last = match.index! + match[0].length;
  }
  out += convertProse(text.slice(last), options, formatted);
  return out.replace(/\n{3,}/g, '\n\n').trim();
}

/** A Block Kit text object (plain_text or mrkdwn). */
function textObject(value: unknown, options: RenderOptions): string {
  if (typeof value === 'string') return mrkdwnToMarkdown(value, options);
  if (!isObject(value) || typeof value.text !== 'string') return '';
  return value.type === 'plain_text' ? escapeMarkdown(value.text) : mrkdwnToMarkdown(value.text, options);
}

function imageMarkdown(url: unknown, alt: unknown, options: RenderOptions): string {
  const safe = imageUrl(url);
  return safe ? options.image(safe, escapeMarkdown(str(alt) ?? '')) : '';
}

const imageUrl = (url: unknown) => (typeof url === 'string' && /^https?:\/\//i.test(url) ? safeUrl(url) : undefined);

function elementLink(element: Json, options: RenderOptions): string {
  const label = textObject(element.text, options) || escapeMarkdown(str(element.action_id) ?? 'link');
  const url = typeof element.url === 'string' ? safeUrl(element.url) : undefined;
  return url ? `[${label}](${url})` : '';
}

const STYLE_MARKS: [string, string][] = [
  ['code', '`'],
  ['bold', '**'],
  ['italic', '_'],
  ['strike', '~~'],
];

/** A rich_text element's inline parts. */
function richInline(elements: unknown, options: RenderOptions): string {
  if (!Array.isArray(elements)) return '';
  return elements
    .filter(isObject)
    .map((e) => {
      let text: string;
      switch (e.type) {
        case 'text':
          text = isObject(e.style) && e.style.code ? String(e.text ?? '') : escapeMarkdown(String(e.text ?? ''));
          break;
        case 'link': {
          const url = typeof e.url === 'string' ? safeUrl(e.url) : undefined;
          const label = escapeMarkdown(str(e.text) ?? str(e.url) ?? '');
          text = url ? `[${label}](${url})` : label;
          break;
        }
        case 'user':
          text = angle(`@${str(e.user_id) ?? ''}`, options);
          break;
        case 'channel':
          text = `#${escapeMarkdown(str(e.channel_id) ?? '')}`;
          break;
        case 'broadcast':
          text = angle(`!${str(e.range) ?? 'here'}`, options);
          break;
        case 'emoji':
          text = `:${str(e.name) ?? ''}:`;
          break;
        default:
          text = escapeMarkdown(str(e.text) ?? '');
      }
      if (isObject(e.style) && text.trim()) {
        for (const [style, mark] of STYLE_MARKS) if (e.style[style]) text = `${mark}${text}${mark}`;
      }
      return text;
    })
    .join('');
}

function richText(block: Json, options: RenderOptions): string {
  const parts = Array.isArray(block.elements) ? block.elements.filter(isObject) : [];
  return parts
    .map((part) => {
      switch (part.type) {
        case 'rich_text_preformatted':
          return `\`\`\`\n${(Array.isArray(part.elements) ? part.elements : []).map((e) => (isObject(e) ? str(e.text) ?? str(e.url) ?? '' : '')).join('')}\n\`\`\``;
        case 'rich_text_quote':
          return richInline(part.elements, options)
            .split('\n')
            .map((l) => `> ${l}`)
            .join('\n');
        case 'rich_text_list': {
          const ordered = part.style === 'ordered';
          return (Array.isArray(part.elements) ? part.elements.filter(isObject) : []).map((item, i) => `${ordered ? `${i + 1}.` : '-'} ${richInline(item.elements, options)}`).join('\n');
        }
        default:
          return richInline(part.elements, options);
      }
    })
    .join('\n\n');
}

/** One Block Kit block as Markdown; unknown block types give their text, if any. */
function renderBlock(block: Json, options: RenderOptions): string {
  switch (block.type) {
    case 'header':
      return `### ${textObject(block.text, options)}`;
    case 'divider':
      return '---';
    case 'section': {
      const lines: string[] = [];
      const text = textObject(block.text, options);
      if (text) lines.push(text);
      if (Array.isArray(block.fields) && block.fields.length) lines.push(block.fields.map((f) => textObject(f, options)).filter(Boolean).join('\n\n'));
      const accessory = isObject(block.accessory) ? block.accessory : undefined;
      if (accessory?.type === 'image') lines.push(imageMarkdown(accessory.image_url, accessory.alt_text, options));
      else if (accessory?.type === 'button') lines.push(elementLink(accessory, options));
      return lines.filter(Boolean).join('\n\n');
    }
    case 'image': {
      const title = block.title ? `**${textObject(block.title, options)}**` : '';
      return [title, imageMarkdown(block.image_url, block.alt_text, options)].filter(Boolean).join('\n\n');
    }
    case 'context':
      return (Array.isArray(block.elements) ? block.elements.filter(isObject) : [])
        .map((e) => (e.type === 'image' ? imageMarkdown(e.image_url, e.alt_text, options) : textObject(e, options)))
        .filter(Boolean)
        .join(' · ');
    case 'actions':
      return (Array.isArray(block.elements) ? block.elements.filter(isObject) : [])
        .map((e) => elementLink(e, options))
        .filter(Boolean)
        .join(' · ');
    case 'rich_text':
      return richText(block, options);
    case 'video': {
      const url = typeof block.title_url === 'string' ? safeUrl(block.title_url) : undefined;
      const title = textObject(block.title, options) || 'Video';
      return url ? `[${title}](${url})` : title;
    }
    default:
      return textObject(block.text, options);
  }
}

export function renderBlocks(blocks: readonly Json[], options: RenderOptions): string {
  return blocks
    .map((b) => renderBlock(b, options))
    .filter((s) => s.trim() !== '')
    .join('\n\n');
}

const NAMED_COLORS: Record<string, string> = { good: '🟢', warning: '🟡', danger: '🔴' };

/** A marker standing for an attachment's color bar: the nearest of red, yellow, green, blue. */
function colorMarker(color: unknown): string {
  if (typeof color !== 'string' || color === '') return '';
  const named = NAMED_COLORS[color.toLowerCase()];
  if (named) return named;
  const hex = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(color)?.[1];
  if (!hex) return '';
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max - min < 0.15) return '⚪';
  let hue = max === r ? ((g - b) / (max - min)) % 6 : max === g ? (b - r) / (max - min) + 2 : (r - g) / (max - min) + 4;
  hue = (hue * 60 + 360) % 360;
  if (hue < 20 || hue >= 330) return '🔴';
  if (hue < 70) return '🟡';
  if (hue < 170) return '🟢';
  if (hue < 260) return '🔵';
  return '🟣';
}

function formatTs(ts: unknown): string | undefined {
  const seconds = typeof ts === 'number' ? ts : typeof ts === 'string' && /^\d+(\.\d+)?$/.test(ts) ? Number(ts) : undefined;
  if (seconds === undefined) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A legacy attachment as a quoted card: color marker, author, title, text, fields, image, footer. */
export function renderAttachment(a: Json, options: RenderOptions): string {
  const md = (v: unknown) => (typeof v === 'string' ? mrkdwnToMarkdown(v, options) : '');
  const outside: string[] = [];
  if (typeof a.pretext === 'string') outside.push(md(a.pretext));
  const card: string[] = [];
  const marker = colorMarker(a.color);
  if (typeof a.author_name === 'string') {
    const link = typeof a.author_link === 'string' ? safeUrl(a.author_link) : undefined;
    const name = escapeMarkdown(a.author_name);
    card.push(link ? `[${name}](${link})` : name);
  }
  if (typeof a.title === 'string') {
    const link = typeof a.title_link === 'string' ? safeUrl(a.title_link) : undefined;
    const title = escapeMarkdown(a.title);
    card.push(`**${link ? `[${title}](${link})` : title}**`);
  }
  if (typeof a.text === 'string') card.push(md(a.text));
  if (Array.isArray(a.fields) && a.fields.length) {
    const fields = a.fields.filter(isObject);
    const lines: string[] = [];
    let shortRow: string[] = [];
    for (const f of fields) {
      const label = typeof f.title === 'string' && f.title ? `**${escapeMarkdown(f.title)}**: ` : '';
      const entry = `${label}${md(str(f.value) ?? '')}`;
      if (f.short === true) {
        shortRow.push(entry);
        if (shortRow.length === 2) {
          lines.push(shortRow.join(' · '));
          shortRow = [];
        }
      } else {
        if (shortRow.length) lines.push(shortRow.join(' · '));
        shortRow = [];
        lines.push(entry);
      }
    }
    if (shortRow.length) lines.push(shortRow.join(' · '));
    card.push(lines.join('\n'));
  }
  if (Array.isArray(a.blocks)) card.push(renderBlocks(a.blocks.filter(isObject), options));
  if (Array.isArray(a.actions)) {
    const links = a.actions.filter(isObject).map((action) => {
      const url = typeof action.url === 'string' ? safeUrl(action.url) : undefined;
      return url ? `[${escapeMarkdown(str(action.text) ?? 'Open')}](${url})` : '';
    });
    if (links.some(Boolean)) card.push(links.filter(Boolean).join(' · '));
  }
  // The full image when there is one, else the thumbnail (Slack shows one of them).
  const image = imageMarkdown(imageUrl(a.image_url) ? a.image_url : a.thumb_url, a.fallback, options);
  if (image) card.push(image);
  const footer = [typeof a.footer === 'string' ? md(a.footer) : '', formatTs(a.ts) ?? ''].filter(Boolean).join(' · ');
  if (footer) card.push(`_${footer}_`);
  if (card.filter(Boolean).length === 0 && typeof a.fallback === 'string') card.push(md(a.fallback));
  const body = card.filter((s) => s.trim() !== '');
  if (body.length && marker) body[0] = `${marker} ${body[0]}`;
  const quoted = body
    .join('\n\n')
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
  return [...outside, body.length ? quoted : ''].filter(Boolean).join('\n\n');
}

/**
 * The Markdown of a message as Slack would show it: the blocks when there are any (then `text`
 * is only the notification fallback), else the text; then the attachments as cards.
 */
export function renderSlackMessage(message: SlackMessage, options: RenderOptions): string {
  const parts: string[] = [];
  if (message.blocks.length) parts.push(renderBlocks(message.blocks, options));
  else if (message.text) parts.push(mrkdwnToMarkdown(message.text, options, message.mrkdwn));
  for (const a of message.attachments) parts.push(renderAttachment(a, options));
  return parts.filter((p) => p.trim() !== '').join('\n\n');
}
