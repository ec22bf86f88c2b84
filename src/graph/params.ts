import qs from 'qs';
import { invalidParameter } from '../errors.js';
import { parseExactJson } from '../http/json.js';

/** An uploaded file from a multipart body. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data);
}

/** Parses a query string or form body with bracket notation (`a[0][b]=c`). */
export function parseQueryString(text: string): Record<string, unknown> {
  return qs.parse(text, { depth: 10, arrayLimit: 200, parameterLimit: 2000, allowPrototypes: false }) as Record<string, unknown>;
}

/**
 * Decodes a body whose type is unknown: JSON when it looks like JSON (clients send JSON
 * without a Content-Type), otherwise a form body.
 */
export function sniffBody(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJsonBody(trimmed);
  return parseQueryString(trimmed);
}

export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseExactJson(text);
  } catch {
    throw invalidParameter('The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameter('The JSON body must be an object');
  }
  return value as Record<string, unknown>;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off', '']);

/** Request parameters merged from the query string and the body, read with Graph's leniency. */
export class Params {
  constructor(readonly values: Record<string, unknown>) {}

  static merge(query: Record<string, unknown>, body: Record<string, unknown>): Params {
    return new Params({ ...query, ...body });
  }

  has(name: string): boolean {
    const v = this.values[name];
    return v !== undefined && v !== null;
  }

  /** A string value; numbers and booleans are converted, empty strings count as absent. */
  string(name: string): string | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v === '' ? undefined : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw invalidParameter(`Param ${name} must be a string`);
  }

  /** Like string(), but keeps an explicit empty string (to clear a field). */
  rawString(name: string): string | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw invalidParameter(`Param ${name} must be a string`);
  }

  requireString(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw invalidParameter(`The parameter ${name} is required`);
    return v;
  }

  /** Booleans as Graph clients send them: true, "true", "True", 1, "1". */
  boolean(name: string): boolean | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string') {
      const lower = v.trim().toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return lower === '' ? undefined : false;
    }
    throw invalidParameter(`Param ${name} must be a boolean`);
  }

  integer(name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
    const v = this.values[name];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n)) throw invalidParameter(`Param ${name} must be an integer`);
    if (n < min || n > max) throw invalidParameter(`Param ${name} must be between ${min} and ${max}`);
    return n;
  }

  /** A structured value sent either as JSON text or already structured (JSON body, brackets). */
  json(name: string): unknown {
    const v = this.values[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return v;
    try {
      return parseExactJson(v);
    } catch {
      throw invalidParameter(`Param ${name} must be JSON`);
    }
  }

  /** A list sent as JSON array, bracket array, or comma-separated string. */
  list(name: string): string[] | undefined {
    const v = this.values[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') {
      const t = v.trim();
      if (t.startsWith('[')) {
        const parsed = this.json(name);
        if (!Array.isArray(parsed)) throw invalidParameter(`Param ${name} must be a list`);
        return parsed.map(String);
      }
      return t.split(',').map((s) => s.trim()).filter(Boolean);
    }
    if (typeof v === 'number') return [String(v)];
    throw invalidParameter(`Param ${name} must be a list`);
  }

  file(name: string): UploadedFile | undefined {
    const v = this.values[name];
    return isUploadedFile(v) ? v : undefined;
  }

  /** One of the allowed values, case-insensitively; returns the canonical spelling. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const found = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (!found) throw invalidParameter(`Param ${name} must be one of ${allowed.join(', ')}`);
    return found;
  }
}
