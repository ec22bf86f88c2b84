import { invalidParameter } from '../errors.js';
import { parseExactJson } from '../http/json.js';

// The shapes of Work Chat content, as the Send API and Messenger profiles take them (reference
// §3.9), with Messenger's limits. Everything here is pure: it checks and normalises input.

export const MAX_TEXT = 2000;
const MAX_QUICK_REPLIES = 13;
const MAX_BUTTONS = 3;
const MAX_ELEMENTS = 10;
const MAX_PAYLOAD = 1000;

/** Where a template's or quick reply's image is: the URL given (until it is fetched), then the stored chat file. */
export interface ImageRef {
  image_url?: string;
  /** The chat file holding the fetched image (stored form only; never taken from a request). */
  image_file?: string;
}

export interface QuickReply extends ImageRef {
  content_type: 'text' | 'user_email' | 'user_phone_number' | 'location';
  title?: string;
  payload?: string;
}

export type Button =
  | {
      type: 'web_url';
      url: string;
      title: string;
      webview_height_ratio?: 'compact' | 'tall' | 'full';
      messenger_extensions?: boolean;
      fallback_url?: string;
      webview_share_button?: 'hide';
    }
  | { type: 'postback'; title: string; payload: string }
  | { type: 'phone_number'; title: string; payload: string };

export interface GenericElement extends ImageRef {
  title: string;
  subtitle?: string;
  default_action?: { type: 'web_url'; url: string };
  buttons?: Button[];
}

export type TemplatePayload =
  | { template_type: 'button'; text: string; buttons: Button[] }
  | { template_type: 'generic'; image_aspect_ratio?: 'horizontal' | 'square'; elements: GenericElement[] };

export type MediaType = 'image' | 'video' | 'audio' | 'file';

/** An attachment as stored with a message: a template, or media by URL or by stored file id. */
export type Attachment = { type: 'template'; payload: TemplatePayload } | { type: MediaType; payload: { url?: string; attachment_id?: string } };

export interface MessageContent {
  text: string | null;
  quickReplies: QuickReply[];
  attachments: Attachment[];
}

type Obj = Record<string, unknown>;

function obj(value: unknown, what: string): Obj {
  if (typeof value === 'string') {
    try {
      value = parseExactJson(value);
    } catch {
      throw invalidParameter(`${what} must be a JSON object`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter(`${what} must be an object`);
  return value as Obj;
}

/** A list sent as a JSON array, or as bracket notation (an object keyed 0, 1, …). */
function list(value: unknown, what: string): unknown[] {
  if (typeof value === 'string') {
    try {
      value = parseExactJson(value);
    } catch {
      throw invalidParameter(`${what} must be a JSON array`);
    }
  }
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null && Object.keys(value).every((k) => /^\d+$/.test(k))) {
    return Object.entries(value as Obj)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, v]) => v);
  }
  throw invalidParameter(`${what} must be an array`);
}

function text(value: unknown, what: string, max: number, required = true): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw invalidParameter(`${what} is required`);
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidParameter(`${what} must be a string`);
  const s = String(value);
  if (s.length > max) throw invalidParameter(`${what} has at most ${max} characters`);
  return s;
}

function httpUrl(value: unknown, what: string): string {
  const s = text(value, what, 2000)!;
  if (!/^https?:\/\/\S+$/i.test(s)) throw invalidParameter(`${what} must be an http(s) URL`);
  return s;
}

const HEIGHT_RATIOS = ['compact', 'tall', 'full'] as const;

/** A web_url button with the options Messenger's and Workplace's clients send, normalised. */
function webUrlButton(b: Obj, what: string, title: string): Button {
  const out: Button & { type: 'web_url' } = { type: 'web_url', url: httpUrl(b.url, `${what}.url`), title };
  if (b.webview_height_ratio !== undefined && b.webview_height_ratio !== null && b.webview_height_ratio !== '') {
    const ratio = String(b.webview_height_ratio).toLowerCase();
    if (!(HEIGHT_RATIOS as readonly string[]).includes(ratio)) throw invalidParameter(`${what}.webview_height_ratio must be compact, tall or full`);
    out.webview_height_ratio = ratio as (typeof HEIGHT_RATIOS)[number];
  }
  if (b.messenger_extensions === true || b.messenger_extensions === 'true') out.messenger_extensions = true;
  if (b.fallback_url !== undefined && b.fallback_url !== null && b.fallback_url !== '') out.fallback_url = httpUrl(b.fallback_url, `${what}.fallback_url`);
  if (typeof b.webview_share_button === 'string' && b.webview_share_button.toLowerCase() === 'hide') out.webview_share_button = 'hide';
  return out;
}

function button(value: unknown, what: string): Button {
  const b = obj(value, what);
  const title = text(b.title, `${what}.title`, 20)!;
  switch (typeof b.type === 'string' ? b.type.toLowerCase() : b.type) {
    case 'web_url':
      return webUrlButton(b, what, title);
    case 'postback':
      return { type: 'postback', title, payload: text(b.payload, `${what}.payload`, MAX_PAYLOAD)! };
    case 'phone_number': {
      // Numbers arrive written every way people write them: +1 (650) 555-0100, +44 20 7946 0000, +16505550100.
      const payload = text(b.payload, `${what}.payload`, 40)!.trim();
      if (!/^\+\d[\d ().-]{3,}$/.test(payload) || payload.replace(/\D/g, '').length < 4) throw invalidParameter(`${what}.payload must be a phone number starting with +`);
      return { type: 'phone_number', title, payload };
    }
    default:
      throw invalidParameter(`${what}.type must be web_url, postback or phone_number`);
  }
}

function buttons(value: unknown, what: string, min: number): Button[] {
  if (value === undefined && min === 0) return [];
  const items = list(value, what);
  if (items.length < min || items.length > MAX_BUTTONS) throw invalidParameter(`${what} takes ${min} to ${MAX_BUTTONS} buttons`);
  return items.map((b, i) => button(b, `${what}[${i}]`));
}

function template(payload: Obj): TemplatePayload {
  switch (payload.template_type) {
    case 'button':
      return { template_type: 'button', text: text(payload.text, 'payload.text', 640)!, buttons: buttons(payload.buttons, 'payload.buttons', 1) };
    case 'generic': {
      const items = list(payload.elements, 'payload.elements');
      if (items.length < 1 || items.length > MAX_ELEMENTS) throw invalidParameter(`payload.elements takes 1 to ${MAX_ELEMENTS} elements`);
      const ratio = payload.image_aspect_ratio;
      if (ratio !== undefined && ratio !== 'horizontal' && ratio !== 'square') throw invalidParameter('image_aspect_ratio must be horizontal or square');
      const elements = items.map((value, i) => {
        const e = obj(value, `payload.elements[${i}]`);
        const out: GenericElement = { title: text(e.title, `payload.elements[${i}].title`, 80)! };
        const subtitle = text(e.subtitle, `payload.elements[${i}].subtitle`, 80, false);
        if (subtitle) out.subtitle = subtitle;
        if (e.image_url !== undefined) out.image_url = httpUrl(e.image_url, `payload.elements[${i}].image_url`);
        if (e.default_action !== undefined) {
          const d = obj(e.default_action, `payload.elements[${i}].default_action`);
          out.default_action = { type: 'web_url', url: httpUrl(d.url, `payload.elements[${i}].default_action.url`) };
        }
        const b = buttons(e.buttons, `payload.elements[${i}].buttons`, 0);
        if (b.length) out.buttons = b;
        return out;
      });
      return { template_type: 'generic', ...(ratio ? { image_aspect_ratio: ratio } : {}), elements };
    }
    default:
      throw invalidParameter('template_type must be button or generic');
  }
}

const MEDIA: readonly MediaType[] = ['image', 'video', 'audio', 'file'];

/**
 * Checks an attachment. Media come by `payload.url`, by `payload.attachment_id` (a file uploaded
 * before), or by an upload in this request (`uploadedId`).
 */
export function checkAttachment(value: unknown, uploadedId?: string): Attachment {
  const a = obj(value, 'attachment');
  if (a.type === 'template') return { type: 'template', payload: template(obj(a.payload, 'attachment.payload')) };
  if (!MEDIA.includes(a.type as MediaType)) throw invalidParameter('attachment.type must be template, image, video, audio or file');
  const type = a.type as MediaType;
  const payload = a.payload === undefined ? {} : obj(a.payload, 'attachment.payload');
  if (uploadedId) return { type, payload: { attachment_id: uploadedId } };
  if (payload.attachment_id !== undefined) {
    const id = String(payload.attachment_id);
    if (!/^\d{1,20}$/.test(id)) throw invalidParameter('attachment.payload.attachment_id is not an attachment id');
    return { type, payload: { attachment_id: id } };
  }
  return { type, payload: { url: httpUrl(payload.url, 'attachment.payload.url') } };
}

function quickReplies(value: unknown): QuickReply[] {
  if (value === undefined || value === null || value === '') return [];
  const items = list(value, 'quick_replies');
  if (items.length > MAX_QUICK_REPLIES) throw invalidParameter(`quick_replies takes at most ${MAX_QUICK_REPLIES} replies`);
  return items.map((item, i) => {
    const q = obj(item, `quick_replies[${i}]`);
    const type = typeof q.content_type === 'string' ? q.content_type.toLowerCase() : (q.content_type ?? 'text');
    if (type === 'user_email' || type === 'user_phone_number' || type === 'location') return { content_type: type };
    if (type !== 'text') throw invalidParameter(`quick_replies[${i}].content_type must be text, location, user_email or user_phone_number`);
    const out: QuickReply = { content_type: 'text', title: text(q.title, `quick_replies[${i}].title`, 20)!, payload: text(q.payload, `quick_replies[${i}].payload`, MAX_PAYLOAD)! };
    if (q.image_url !== undefined) out.image_url = httpUrl(q.image_url, `quick_replies[${i}].image_url`);
    return out;
  });
}

/** The `message` of a Send API call: text or one attachment, and optional quick replies. */
export function checkSendMessage(value: unknown, uploadedId?: string): MessageContent {
  const m = obj(value, 'message');
  const body = text(m.text, 'message.text', MAX_TEXT, false) ?? null;
  const attachment = m.attachment !== undefined || uploadedId ? checkAttachment(m.attachment ?? { type: 'file' }, uploadedId) : undefined;
  if (body === null && !attachment) throw invalidParameter('message must have text or an attachment');
  if (body !== null && attachment) throw invalidParameter('message takes either text or an attachment, not both');
  return { text: body, quickReplies: quickReplies(m.quick_replies), attachments: attachment ? [attachment] : [] };
}

/** The postback buttons a message offers (button and generic templates). */
export function postbackButtons(attachments: readonly Attachment[]): { title: string; payload: string }[] {
  const out: { title: string; payload: string }[] = [];
  for (const a of attachments) {
    if (a.type !== 'template') continue;
    const all = a.payload.template_type === 'button' ? a.payload.buttons : a.payload.elements.flatMap((e) => e.buttons ?? []);
    for (const b of all) if (b.type === 'postback') out.push({ title: b.title, payload: b.payload });
  }
  return out;
}

// Messenger profile

export interface GreetingEntry {
  locale: string;
  text: string;
}

export interface MenuEntry {
  locale: string;
  composer_input_disabled: boolean;
  call_to_actions: Button[];
}

export interface ProfileChanges {
  greeting?: GreetingEntry[];
  get_started?: { payload: string };
  persistent_menu?: MenuEntry[];
}

export const PROFILE_FIELDS = ['greeting', 'get_started', 'persistent_menu'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

function hasDefault(entries: { locale: string }[], what: string): void {
  if (!entries.some((e) => e.locale === 'default')) throw invalidParameter(`${what} needs an entry with locale "default"`);
}

export function checkGreeting(value: unknown): GreetingEntry[] {
  const entries = list(value, 'greeting').map((item, i) => {
    const g = obj(item, `greeting[${i}]`);
    return { locale: text(g.locale ?? 'default', `greeting[${i}].locale`, 20)!, text: text(g.text, `greeting[${i}].text`, 160)! };
  });
  hasDefault(entries, 'greeting');
  return entries;
}

export function checkGetStarted(value: unknown): { payload: string } {
  const g = obj(value, 'get_started');
  return { payload: text(g.payload, 'get_started.payload', MAX_PAYLOAD)! };
}

export function checkPersistentMenu(value: unknown): MenuEntry[] {
  const entries = list(value, 'persistent_menu').map((item, i) => {
    const m = obj(item, `persistent_menu[${i}]`);
    const actions = list(m.call_to_actions ?? [], `persistent_menu[${i}].call_to_actions`);
    if (actions.length > 20) throw invalidParameter(`persistent_menu[${i}].call_to_actions takes at most 20 buttons`);
    const disabled = m.composer_input_disabled;
    return {
      locale: text(m.locale ?? 'default', `persistent_menu[${i}].locale`, 20)!,
      composer_input_disabled: disabled === true || disabled === 'true',
      call_to_actions: actions.map((a, j) => button(a, `persistent_menu[${i}].call_to_actions[${j}]`)),
    };
  });
  hasDefault(entries, 'persistent_menu');
  return entries;
}
