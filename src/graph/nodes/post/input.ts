import { FORMATTINGS, type PostInput } from '../../../domain/commands/post.js';
import { invalidParameter } from '../../../errors.js';
import { parseExactJson } from '../../../http/json.js';
import type { ParamDoc } from '../../registry.js';
import type { GraphRequest } from '../../request.js';

const MEDIA_SHAPE = 'attached_media must be a list of {"media_fbid": id}';

/**
 * The JSON that Meta's PowerShell samples build by hand: single-quoted strings and bare keys
 * (`[{'media_fbid':'123'}]`, `[{media_fbid:123}]`). Turned into JSON, then parsed exactly.
 */
function looseJson(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    const quoted = text
      .replace(/'((?:[^'\\]|\\.)*)'/g, (_, inner: string) => JSON.stringify(inner.replace(/\\'/g, "'")))
      .replace(/([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:/g, '$1"$2":');
    try {
      return parseExactJson(quoted);
    } catch {
      throw invalidParameter(`${MEDIA_SHAPE}, as JSON`);
    }
  }
}

/** One `attached_media` entry: `{media_fbid}`, that object as (loose) JSON text, or a bare id. */
function mediaIdOf(item: unknown): string {
  if (typeof item === 'string' && /^\s*[{[]/.test(item)) item = looseJson(item);
  const id = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as { media_fbid?: unknown }).media_fbid : item;
  if ((typeof id !== 'string' && typeof id !== 'number') || !/^\d{1,20}$/.test(String(id).trim())) throw invalidParameter(MEDIA_SHAPE);
  return String(id).trim();
}

/**
 * `attached_media` as clients send it: a JSON array (or Meta's PowerShell pseudo-JSON), bracket
 * notation (`attached_media[0]={"media_fbid":"…"}`), or a JSON body array. Photos keep the order
 * given; one named twice is attached once.
 */
function attachedMedia(req: GraphRequest<unknown>): string[] {
  let value = req.params.values.attached_media;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') value = looseJson(value);
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : [value];
  return [...new Set(list.map(mediaIdOf))];
}

const FILES_SHAPE = 'files must be a comma-separated list of file ids from POST /group_file_revisions';

/** `files` as clients send it: `1,2,3` (Meta's samples), a JSON array, or bracket notation; ids as strings or numbers. */
function groupFiles(req: GraphRequest<unknown>): string[] {
  let value = req.params.values.files;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string' && /^\s*\[/.test(value)) value = looseJson(value);
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value as object) : [value];
  const ids = list.map((item) => {
    const id = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as { id?: unknown }).id : item;
    if ((typeof id !== 'string' && typeof id !== 'number') || !/^\d{1,20}$/.test(String(id).trim())) throw invalidParameter(FILES_SHAPE);
    return String(id).trim();
  });
  return [...new Set(ids)];
}

/** Post parameters: message, formatting, link, photos by attached_media / attachment_id, and group files. */
export function postInput(req: GraphRequest<unknown>): Omit<PostInput, 'feedId' | 'feedType'> {
  const media = attachedMedia(req);
  const attachmentId = req.params.string('attachment_id') ?? req.params.string('object_attachment');
  if (attachmentId && !media.includes(attachmentId)) media.push(attachmentId);
  return {
    message: req.params.rawString('message'),
    formatting: req.params.oneOf('formatting', FORMATTINGS),
    link: req.params.string('link'),
    mediaIds: media,
    fileIds: groupFiles(req),
  };
}

/** The parameters `postInput` reads, for docs and the OpenAPI document. */
export const postParams: readonly ParamDoc[] = [
  { name: 'message', description: 'Text; @[id] mentions a member or bot page' },
  { name: 'formatting', description: 'MARKDOWN or PLAINTEXT' },
  { name: 'link', description: 'A link to share' },
  { name: 'attached_media', description: 'Photos, in order: [{"media_fbid": id}, …] as JSON, bracket notation or single-quoted pseudo-JSON; several make an album', type: 'array' },
  { name: 'attachment_id', description: 'One photo by id (also object_attachment)' },
  { name: 'files', description: 'Group files: ids from POST /group_file_revisions, comma-separated (or a JSON array); group posts only' },
];
