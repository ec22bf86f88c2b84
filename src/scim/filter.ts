import { type Filter, parse } from 'scim2-parse-filter';
import {
  type AccountCondition,
  type AccountField,
  accountFields,
  type CompareOp,
  type Condition,
  type FieldKind,
  emailFields,
  type PeopleSetCondition,
  peopleSetFields,
  type Scalar,
  setMemberFields,
} from '../domain/accountQuery.js';
import { AppError } from '../errors.js';
import { type ResolvedPath, resolvePath } from './attributes.js';

// SCIM filters (RFC 7644 §3.4.2.2) to domain conditions. Clients send filters fully
// percent-encoded, half-encoded (only spaces, or `+` for spaces) and raw; the raw query text
// is decoded here once, with `+` meaning a space only outside quoted strings, and decoded once
// more when the result is itself still percent-encoded.

const MAX_FILTER = 10_000;
const MAX_NODES = 500;

export const invalidFilter = (detail: string) => new AppError('invalid_filter', `(#100) Invalid filter: ${detail}`);

/** Percent-decodes query text; `+` is a space outside double quotes and a plus inside them. */
export function decodeQueryText(raw: string): string {
  const bytes: number[] = [];
  let inQuote = false;
  let escaped = false;
  const push = (b: number) => {
    bytes.push(b);
    if (b === 0x22 && !escaped) inQuote = !inQuote;
    escaped = b === 0x5c && !escaped;
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') {
      push(inQuote ? 0x2b : 0x20);
    } else {
      for (const b of Buffer.from(c, 'utf8')) push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The `filter` parameter as the client meant it, read from the raw query string. */
export function filterFromQuery(rawQuery: string): string | undefined {
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (decodeQueryText(key).toLowerCase() === 'filter') return decodeQueryText(eq < 0 ? '' : pair.slice(eq + 1));
  }
  return undefined;
}

const COMPARE_OP = /^(eq|ne|co|sw|ew|gt|ge|lt|le)$/i;
const LOGICAL = /^(and|or|not)$/i;
const LITERAL = /^(true|false|null)$/i;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Validators send values without quotes (`userName sw O`, `active eq True`, `emails[type eq
 * work]`). A bare word right after `attribute op` can only be a value: `true`, `false` and
 * `null` in any case become the literals, numbers stay numbers, anything else a JSON string.
 */
export function quoteBareValues(text: string): string {
  let out = '';
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c) || '()[]'.includes(c)) {
      if (!/\s/.test(c)) words.push(c);
      out += c;
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      words.push('"');
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s()[\]"]/.test(text[j])) j++;
    const word = text.slice(i, j);
    const [attr, op] = words.slice(-2);
    const isValue = op !== undefined && COMPARE_OP.test(op) && attr !== undefined && !'()[]"'.includes(attr) && !LOGICAL.test(attr) && !COMPARE_OP.test(attr);
    if (isValue) {
      out += LITERAL.test(word) ? word.toLowerCase() : NUMBER.test(word) ? word : JSON.stringify(word);
      words.push('"');
    } else {
      out += word;
      words.push(word);
    }
    i = j;
  }
  return out;
}

function parseText(text: string): Filter {
  if (text.length > MAX_FILTER) throw invalidFilter(`longer than ${MAX_FILTER} characters`);
  try {
    return parse(quoteBareValues(text));
  } catch (first) {
    if (/%[0-9a-fA-F]{2}/.test(text)) {
      try {
        return parse(quoteBareValues(decodeQueryText(text)));
      } catch {
        // fall through to the first error, which describes what the client sent
      }
    }
    throw invalidFilter(`${(first as Error).message} in ${JSON.stringify(text)}`);
  }
}

function countNodes(f: Filter): number {
  switch (f.op) {
    case 'and':
    case 'or':
      return 1 + (f as { filters: Filter[] }).filters.reduce((n, x) => n + countNodes(x), 0);
    case 'not':
      return 1 + countNodes((f as { filter: Filter }).filter);
    case '[]':
      return 1 + countNodes((f as { valFilter: Filter }).valFilter);
    default:
      return 1;
  }
}

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

/** A filter value as the field's kind expects it: text, boolean, or epoch ms (numbers are epoch seconds). */
function valueFor(kind: FieldKind, op: string, value: Scalar, path: string): Scalar {
  if (kind === 'boolean' && !['eq', 'ne'].includes(op)) throw invalidFilter(`${path} is a boolean and supports eq, ne and pr, not ${op}`);
  if (kind === 'time' && ['co', 'sw', 'ew'].includes(op)) throw invalidFilter(`${path} is a time and does not support ${op}`);
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`${op} needs a value`);
    return null;
  }
  if (kind === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    throw invalidFilter(`${path} compares with true or false`);
  }
  if (kind === 'time') {
    const instant = instantOf(value);
    if (instant) return instant.ms;
    throw invalidFilter(`${path} compares with a date-time such as "2026-01-31T12:00:00Z"`);
  }
  if (typeof value === 'boolean') throw invalidFilter(`${path} compares with a string`);
  return String(value);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An xsd:dateTime (RFC 7643 §2.3.5) as epoch milliseconds: any offset, any number of fraction
 * digits (`2015-10-10T14:38:21.8617979-07:00`); without an offset, UTC. `exact` is false when
 * the instant falls between two milliseconds. Numbers (and digit strings) are epoch seconds.
 */
export function instantOf(value: Scalar): { ms: number; exact: boolean } | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return { ms: Math.floor(value * 1000), exact: Number.isInteger(value * 1000) };
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return { ms: Number(text) * 1000, exact: true };
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', fraction = '', zone = 'Z'] = m;
  const digits = zone.slice(1).replace(':', '');
  const offset = /^[Zz]$/.test(zone) ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
  const parts = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec)];
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31 || parts[3] > 24 || parts[4] > 59 || parts[5] > 60) return undefined;
  const base = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]) - offset * 60_000;
  const wholeMs = Number(fraction.slice(0, 3).padEnd(3, '0'));
  return { ms: base + wholeMs, exact: !/[1-9]/.test(fraction.slice(3)) };
}

/**
 * A comparison with an instant between two stored milliseconds: stored times are whole
 * milliseconds, so `gt 21.8617` means `gt 21.861`, `ge` means `gt`, and `eq` matches nothing.
 */
function betweenMilliseconds<F extends string>(field: F, op: string, ms: number): Condition<F> {
  switch (op) {
    case 'eq':
      return { kind: 'or', items: [] };
    case 'ne':
      return { kind: 'and', items: [] };
    case 'gt':
    case 'ge':
      return { kind: 'compare', field, op: 'gt', value: ms };
    default:
      return { kind: 'compare', field, op: 'le', value: ms };
  }
}

type UserTarget = { field: AccountField } | { emails: 'value' | 'type' | 'primary' };

const CORE_FIELDS: Record<string, AccountField> = {
  id: 'id',
  externalid: 'externalId',
  username: 'userName',
  displayname: 'displayName',
  nickname: 'nickName',
  profileurl: 'profileUrl',
  title: 'title',
  usertype: 'userType',
  preferredlanguage: 'preferredLanguage',
  locale: 'locale',
  timezone: 'timezone',
  active: 'active',
  'name.': 'formattedName',
  'name.formatted': 'formattedName',
  'name.givenname': 'givenName',
  'name.familyname': 'familyName',
  'name.middlename': 'middleName',
  'name.honorificprefix': 'honorificPrefix',
  'name.honorificsuffix': 'honorificSuffix',
  'meta.created': 'created',
  'meta.lastmodified': 'lastModified',
  'phonenumbers.': 'primaryPhone',
  'phonenumbers.value': 'primaryPhone',
  'addresses.': 'primaryAddress',
  'addresses.formatted': 'primaryAddress',
  'enterprise:employeenumber': 'employeeNumber',
  'enterprise:costcenter': 'costCenter',
  'enterprise:organization': 'organization',
  'enterprise:division': 'division',
  'enterprise:department': 'department',
  'enterprise:manager.': 'managerId',
  'enterprise:manager.value': 'managerId',
  'enterprise:manager.managerid': 'managerId',
  'accountstatusdetails:invited': 'invited',
  'accountstatusdetails:claimed': 'claimed',
  'accountstatusdetails:invitedate': 'inviteDate',
  'accountstatusdetails:claimdate': 'claimDate',
  'authmethod:authmethod': 'authMethod',
  'authmethod:auth_method': 'authMethod',
  'starttermdates:startdate': 'startDate',
  'starttermdates:termdate': 'termDate',
  'frontline:is_frontline': 'isFrontline',
};

function keyOf(p: ResolvedPath, withSub = true): string {
  const schema = p.schema === 'core' || p.schema === 'group' ? '' : `${p.schema}:`;
  const name = p.attr!.name.toLowerCase();
  const complex = p.attr!.type === 'complex';
  const sub = withSub && p.sub ? p.sub.name.toLowerCase() : '';
  return complex ? `${schema}${name}.${sub}` : `${schema}${name}`;
}

function userTarget(path: string): UserTarget {
  const p = resolvePath(path, 'User');
  if (!p?.attr || p.filter !== undefined) throw invalidFilter(`unknown attribute ${path}`);
  if (p.schema === 'core' && p.attr.name === 'emails') {
    const sub = (p.sub?.name ?? 'value') as 'value' | 'type' | 'primary' | 'display';
    if (sub === 'display') throw invalidFilter(`${path} cannot be filtered`);
    return { emails: sub };
  }
  const field = CORE_FIELDS[keyOf(p)];
  if (!field) throw invalidFilter(`${path} cannot be filtered`);
  return { field };
}

function compareOf<F extends string>(field: F, kind: FieldKind, f: { op: string; compValue?: Scalar }, path: string): Condition<F> {
  if (f.op === 'pr') return { kind: 'present', field };
  if (!OPS.has(f.op)) throw invalidFilter(`unknown operator ${f.op}`);
  if (kind === 'time' && f.compValue !== null && f.compValue !== undefined && !['co', 'sw', 'ew'].includes(f.op)) {
    const instant = instantOf(f.compValue);
    if (instant && !instant.exact) return betweenMilliseconds(field, f.op, instant.ms);
  }
  return { kind: 'compare', field, op: f.op as CompareOp, value: valueFor(kind, f.op, f.compValue ?? null, path) };
}

/** A filter on the sub-attributes of one value of a multi-valued attribute (`emails[type eq "work"]`). */
function subCondition(f: Filter, fields: Record<string, FieldKind>, parent: string): Condition<string> {
  switch (f.op) {
    case 'and':
    case 'or':
      return { kind: f.op, items: (f as { filters: Filter[] }).filters.map((x) => subCondition(x, fields, parent)) };
    case 'not':
      return { kind: 'not', item: subCondition((f as { filter: Filter }).filter, fields, parent) };
    case '[]':
      throw invalidFilter('nested value filters are not supported');
    default: {
      const attr = (f as { attrPath: string }).attrPath;
      const name = Object.keys(fields).find((k) => k.toLowerCase() === attr.toLowerCase().replace(`${parent.toLowerCase()}.`, ''));
      if (!name) throw invalidFilter(`unknown attribute ${parent}.${attr}`);
      return compareOf(name, fields[name], f as { op: string; compValue?: Scalar }, `${parent}.${attr}`);
    }
  }
}

function userCondition(f: Filter): AccountCondition {
  switch (f.op) {
    case 'and':
    case 'or':
      return { kind: f.op, items: (f as { filters: Filter[] }).filters.map(userCondition) };
    case 'not':
      return { kind: 'not', item: userCondition((f as { filter: Filter }).filter) };
    case '[]': {
      const v = f as { attrPath: string; valFilter: Filter };
      const p = resolvePath(v.attrPath, 'User');
      if (p?.schema !== 'core' || p.attr?.name !== 'emails' || p.sub) throw invalidFilter(`${v.attrPath}[…] cannot be filtered; emails[…] can`);
      return { kind: 'related', relation: 'emails', where: subCondition(v.valFilter, emailFields, v.attrPath) };
    }
    default: {
      const c = f as { op: string; attrPath: string; compValue?: Scalar };
      const target = userTarget(c.attrPath);
      if ('field' in target) return compareOf(target.field, accountFields[target.field], c, c.attrPath);
      const related: AccountCondition = { kind: 'related', relation: 'emails', where: compareOf(target.emails, emailFields[target.emails], c.op === 'ne' ? { ...c, op: 'eq' } : c, c.attrPath) };
      if (target.emails !== 'value') return c.op === 'ne' ? { kind: 'not', item: related } : related;
      const login = compareOf<AccountField>('email', 'text', c.op === 'ne' ? { ...c, op: 'eq' } : c, c.attrPath);
      const any: AccountCondition = { kind: 'or', items: [login, related] };
      return c.op === 'ne' ? { kind: 'not', item: any } : any;
    }
  }
}

const GROUP_FIELDS: Record<string, keyof typeof peopleSetFields> = {
  id: 'id',
  displayname: 'displayName',
  externalid: 'externalId',
  'meta.created': 'created',
  'meta.lastmodified': 'lastModified',
};

function groupCondition(f: Filter): PeopleSetCondition {
  switch (f.op) {
    case 'and':
    case 'or':
      return { kind: f.op, items: (f as { filters: Filter[] }).filters.map(groupCondition) };
    case 'not':
      return { kind: 'not', item: groupCondition((f as { filter: Filter }).filter) };
    case '[]': {
      const v = f as { attrPath: string; valFilter: Filter };
      const p = resolvePath(v.attrPath, 'Group');
      if (p?.attr?.name !== 'members' || p.sub) throw invalidFilter(`${v.attrPath}[…] cannot be filtered; members[…] can`);
      return { kind: 'related', relation: 'members', where: subCondition(v.valFilter, setMemberFields, v.attrPath) };
    }
    default: {
      const c = f as { op: string; attrPath: string; compValue?: Scalar };
      const p = resolvePath(c.attrPath, 'Group');
      if (!p?.attr || p.filter !== undefined) throw invalidFilter(`unknown attribute ${c.attrPath}`);
      if (p.attr.name === 'members') {
        if (p.sub && p.sub.name !== 'value') throw invalidFilter(`${c.attrPath} cannot be filtered`);
        const where = compareOf('value', 'exact', c.op === 'ne' ? { ...c, op: 'eq' } : c, c.attrPath);
        const related: PeopleSetCondition = { kind: 'related', relation: 'members', where };
        return c.op === 'ne' ? { kind: 'not', item: related } : related;
      }
      const key = p.attr.type === 'complex' ? `${p.attr.name}.${p.sub?.name ?? ''}`.toLowerCase() : p.attr.name.toLowerCase();
      const field = GROUP_FIELDS[key];
      if (!field) throw invalidFilter(`${c.attrPath} cannot be filtered`);
      return compareOf(field, peopleSetFields[field], c, c.attrPath);
    }
  }
}

function parsed(text: string): Filter {
  const trimmed = text.trim();
  if (!trimmed) throw invalidFilter('the filter is empty');
  const f = parseText(trimmed);
  if (countNodes(f) > MAX_NODES) throw invalidFilter(`more than ${MAX_NODES} terms`);
  return f;
}

/** A Users filter as a condition over accounts. */
export function userFilter(text: string): AccountCondition {
  return userCondition(parsed(text));
}

/** A Groups filter as a condition over people sets. */
export function groupFilter(text: string): PeopleSetCondition {
  return groupCondition(parsed(text));
}

/** The account field a `sortBy` names (emails sort by the login email). */
export function userSortField(path: string): AccountField {
  try {
    const target = userTarget(path);
    if ('field' in target) return target.field;
    if (target.emails === 'value') return 'email';
  } catch {
    // reported below as a bad sortBy
  }
  throw new AppError('invalid_parameter', `(#100) sortBy: cannot sort by ${path}`);
}

export function groupSortField(path: string): keyof typeof peopleSetFields {
  const p = resolvePath(path, 'Group');
  const key = p?.attr ? (p.attr.type === 'complex' ? `${p.attr.name}.${p.sub?.name ?? ''}` : p.attr.name).toLowerCase() : '';
  const field = GROUP_FIELDS[key];
  if (!field) throw new AppError('invalid_parameter', `(#100) sortBy: cannot sort by ${path}`);
  return field;
}
