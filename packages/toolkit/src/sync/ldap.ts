import fs from 'node:fs';
import { Client, FilterParser, InvalidCredentialsError, NoSuchObjectError, type Entry } from 'ldapts';
import { PERSON_FIELDS, peopleFromRows, SourceError, type PersonField, type SourceResult } from './people.js';

// People from an LDAP directory (OpenLDAP, Active Directory, …): one paged search, each entry
// turned into the same record a CSV row gives, so the diff and apply code is shared.

/** Connection and search settings of an LDAP source. */
export interface LdapOptions {
  /** ldap://host[:port][/baseDN[??scope?filter]] or ldaps://… (RFC 4516; --base-dn, --scope and --filter win). */
  url: string;
  bindDn?: string;
  /** The bind password (from a file or the environment: never from the command line). */
  password?: string;
  baseDn?: string;
  filter?: string;
  scope?: 'sub' | 'one';
  /** Entries per page of the paged-results control (AD's MaxPageSize is 1000). */
  pageSize?: number;
  /** PEM file of the CA that signed the server's certificate (ldaps:// or StartTLS). */
  caFile?: string;
  startTls?: boolean;
  timeoutMs?: number;
}

/** People entries of both Active Directory and OpenLDAP (inetOrgPerson). */
export const DEFAULT_FILTER = '(|(objectClass=inetOrgPerson)(&(objectCategory=person)(objectClass=user)))';

/** The directory attributes each field is read from, first present wins; `--map field=attribute` replaces the list. */
export const LDAP_ATTRIBUTES: Partial<Record<PersonField, readonly string[]>> = {
  email: ['mail', 'userPrincipalName'],
  external_id: ['objectGUID', 'entryUUID'],
  first_name: ['givenName'],
  last_name: ['sn'],
  display_name: ['displayName', 'cn'],
  title: ['title'],
  department: ['department', 'departmentNumber'],
  division: ['division'],
  organization: ['company', 'o'],
  employee_number: ['employeeID', 'employeeNumber'],
  phone: ['telephoneNumber', 'mobile'],
  locale: ['preferredLanguage'],
  manager: ['manager'],
};

/** userAccountControl's ACCOUNTDISABLE bit. */
const ACCOUNT_DISABLED = 0x2;
const BINARY = ['objectGUID'];

/** Active Directory's text form of an objectGUID (the first three groups are little-endian). */
export function guidText(bytes: Buffer): string {
  if (bytes.length !== 16) return bytes.toString('hex');
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...bytes.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

/** A DN in a form two spellings of the same entry share (case and spaces around separators ignored). */
export function normalizeDn(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) => rdn.trim().replace(/\s*=\s*/, '='))
    .join(',')
    .toLowerCase();
}

function firstValue(entry: Entry, attribute: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined || key === 'dn') return undefined;
  const raw = entry[key]!;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const text = Buffer.isBuffer(value) ? (attribute.toLowerCase() === 'objectguid' ? guidText(value) : value.toString('utf8')) : value;
  return text.trim() === '' ? undefined : text.trim();
}

/** Splits ldap://host:port/base??scope?filter into the server address and the search parts. */
export function parseLdapUrl(text: string): { server: string; baseDn?: string; scope?: 'sub' | 'one'; filter?: string } {
  const m = /^(ldaps?:\/\/[^/?#]*)(?:\/([^?#]*))?(?:\?([^?#]*))?(?:\?([^?#]*))?(?:\?([^?#]*))?$/i.exec(text.trim());
  if (!m || !/^ldaps?:\/\/[^/@]+$/i.test(m[1]!)) throw new SourceError(`--from ${text}: not an LDAP URL (ldap://host[:port][/baseDN] or ldaps://…)`);
  const decode = (v: string | undefined) => (v ? decodeURIComponent(v) : undefined);
  const scope = decode(m[4])?.toLowerCase();
  if (scope && scope !== 'sub' && scope !== 'one') throw new SourceError(`--from ${text}: scope must be sub or one`);
  return { server: m[1]!, baseDn: decode(m[2]), scope: scope as 'sub' | 'one' | undefined, filter: decode(m[5]) };
}

/** Reads the bind password from --bind-password-file, else LDAP_BIND_PASSWORD; trailing newlines are dropped. */
export function bindPassword(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file) {
    try {
      return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new SourceError(`--bind-password-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return env.LDAP_BIND_PASSWORD || undefined;
}

function ldapProblem(server: string, error: unknown): Error {
  if (error instanceof InvalidCredentialsError) return new SourceError(`${server}: the directory refused the bind (invalid credentials)`);
  if (error instanceof NoSuchObjectError) return new SourceError(`${server}: the base DN does not exist`);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') return new Error(`${server}: cannot reach the directory (${code})`);
  return new Error(`${server}: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Searches the directory (paged) and turns each entry into a person: attributes through
 * LDAP_ATTRIBUTES or --map, AD's userAccountControl disabled bit as inactive, and the manager's
 * DN resolved to that person's email (a manager outside the search is reported by the diff).
 * A default field is managed when some entry has it; a mapped one always is.
 */
export async function readLdap(options: LdapOptions, map: Map<PersonField, string>): Promise<SourceResult> {
  const url = parseLdapUrl(options.url);
  const baseDn = options.baseDn ?? url.baseDn;
  if (!baseDn) throw new SourceError(`--from ${url.server}: give the base DN with --base-dn (or in the URL: ${url.server}/dc=example,dc=com)`);
  if (options.password !== undefined && !options.bindDn) throw new SourceError('a bind password needs --bind-dn');
  if (options.bindDn && options.password === undefined) throw new SourceError('--bind-dn needs a password: --bind-password-file FILE or LDAP_BIND_PASSWORD');
  const attributesOf = (field: PersonField): readonly string[] => {
    const mapped = map.get(field);
    return mapped !== undefined ? [mapped] : (LDAP_ATTRIBUTES[field] ?? []);
  };
  const filter = options.filter ?? url.filter ?? DEFAULT_FILTER;
  try {
    FilterParser.parseString(filter);
  } catch (error) {
    throw new SourceError(`--filter ${filter}: not an LDAP filter (${(error as Error).message.replace(/\. Full string:.*$/s, '')})`);
  }
  const requested = new Set<string>(['userAccountControl']);
  for (const field of PERSON_FIELDS) for (const a of attributesOf(field)) requested.add(a);

  const ca = options.caFile ? fs.readFileSync(options.caFile) : undefined;
  const tlsOptions = ca ? { ca } : undefined;
  // TLS options go to the client for ldaps:// only: on an ldap:// client they break a later StartTLS (ldapts 8.2).
  const secure = /^ldaps:/i.test(url.server);
  const client = new Client({ url: url.server, timeout: options.timeoutMs ?? 60_000, connectTimeout: 10_000, ...(secure ? { tlsOptions } : {}) });
  const entries: Entry[] = [];
  try {
    // StartTLS upgrades the open socket: name the host, or the certificate is checked against "localhost".
    if (options.startTls) await client.startTLS({ ...tlsOptions, host: new URL(url.server).hostname.replace(/^\[|\]$/g, '') });
    if (options.bindDn) await client.bind(options.bindDn, options.password!);
    const pages = client.searchPaginated(baseDn, {
      scope: options.scope ?? url.scope ?? 'sub',
      filter,
      attributes: [...requested],
      explicitBufferAttributes: BINARY,
      paged: { pageSize: options.pageSize ?? 500 },
    });
    for await (const page of pages) entries.push(...page.searchEntries);
  } catch (error) {
    throw ldapProblem(url.server, error);
  } finally {
    await client.unbind().catch(() => undefined);
  }

  const where = `${url.server}/${baseDn}`;
  const read = (entry: Entry, field: PersonField) => {
    for (const a of attributesOf(field)) {
      const v = firstValue(entry, a);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const emailByDn = new Map<string, string>();
  for (const entry of entries) {
    const email = read(entry, 'email');
    if (email) emailByDn.set(normalizeDn(entry.dn), email.toLowerCase());
  }
  const fields = PERSON_FIELDS.filter((f) => f !== 'active' && (f === 'email' || map.has(f) || entries.some((e) => read(e, f) !== undefined)));
  const rows = entries.map((entry) => {
    const row: Record<string, string> = {};
    for (const field of fields) {
      const v = read(entry, field) ?? '';
      row[field] = field === 'manager' && v ? (emailByDn.get(normalizeDn(v)) ?? v) : v;
    }
    if (map.has('active')) row.active = read(entry, 'active') ?? '';
    else {
      const control = firstValue(entry, 'userAccountControl');
      row.active = control && /^\d+$/.test(control) && Number(control) & ACCOUNT_DISABLED ? 'false' : 'true';
    }
    return row;
  });
  return peopleFromRows(rows, [...fields, 'active'], new Map(), where, entries.map((e) => e.dn));
}
