import { RETRYABLE_NETWORK_CODES, redactUrl } from './errors.js';

// A SCIM 2.0 client (RFC 7643/7644 with Workplace's extensions) for the Account Management API:
// typed resources, a filter builder that escapes values, PATCH builders, startIndex paging,
// /Bulk, and retries on 429 (honouring Retry-After), 5xx and network failures.

/** Schema and message URNs of SCIM 2.0 and Workplace's extensions. */
export const SCIM_URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  startTermDates: 'urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User',
  accountStatusDetails: 'urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User',
  authMethod: 'urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User',
  frontline: 'urn:ietf:params:scim:schemas:extension:facebook:frontline:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

export interface ScimMeta {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  /** The resource's (weak) ETag, usable as If-Match. */
  version?: string;
}

export interface ScimMultiValue {
  value?: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

export interface ScimAddress {
  type?: string;
  formatted?: string;
  streetAddress?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  primary?: boolean;
}

export interface ScimName {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}

export interface ScimEnterpriseUser {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  manager?: { value?: string; managerId?: string; $ref?: string; displayName?: string };
}

/** A SCIM User; extension objects are keyed by their URN (see SCIM_URN). */
export interface ScimUser {
  schemas?: string[];
  id?: string;
  externalId?: string;
  userName?: string;
  name?: ScimName;
  displayName?: string;
  nickName?: string;
  profileUrl?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active?: boolean;
  emails?: ScimMultiValue[];
  phoneNumbers?: ScimMultiValue[];
  addresses?: ScimAddress[];
  photos?: ScimMultiValue[];
  groups?: (ScimMultiValue & { $ref?: string })[];
  meta?: ScimMeta;
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'?: ScimEnterpriseUser;
  'urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User'?: { startDate?: number; termDate?: number };
  'urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User'?: {
    invited?: boolean;
    claimed?: boolean;
    inviteDate?: number;
    claimDate?: number;
    claimLink?: string;
    accessCode?: string;
  };
  'urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User'?: { authMethod?: 'password' | 'sso' };
  'urn:ietf:params:scim:schemas:extension:facebook:frontline:2.0:User'?: { is_frontline?: boolean };
  [attribute: string]: unknown;
}

/** A SCIM Group (Workplace: a people set). */
export interface ScimGroup {
  schemas?: string[];
  id?: string;
  externalId?: string;
  displayName?: string;
  members?: (ScimMultiValue & { $ref?: string })[];
  meta?: ScimMeta;
  [attribute: string]: unknown;
}

export interface ScimListResponse<T> {
  schemas: string[];
  totalResults: number;
  itemsPerPage?: number;
  startIndex?: number;
  Resources?: T[];
}

/** Options of a list or search. */
export interface ScimListOptions {
  /** A filter expression (build one with `scimFilter`). */
  filter?: string | ScimFilter;
  /** Page size (servers cap it; Commonplace at 1000). */
  count?: number;
  startIndex?: number;
  attributes?: readonly string[];
  excludedAttributes?: readonly string[];
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  signal?: AbortSignal;
}

/** One PATCH operation (RFC 7644 §3.5.2). */
export interface ScimPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export interface ScimPatchRequest {
  schemas: [typeof SCIM_URN.patchOp];
  Operations: ScimPatchOperation[];
}

/** One operation of a /Bulk request. */
export interface ScimBulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  bulkId?: string;
  version?: string;
  data?: unknown;
}

/** One result of a /Bulk response; `error` is set when the operation failed. */
export interface ScimBulkResult {
  method?: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: number;
  /** The resource id, read from location. */
  id?: string;
  error?: ScimApiError;
}

export interface ScimRetryInfo {
  attempt: number;
  delayMs: number;
  error: Error;
  method: string;
  url: string;
}

export interface ScimClientOptions {
  /** The SCIM root, e.g. http://127.0.0.1:8080/scim/v2 (Workplace: https://scim.workplace.com). */
  baseUrl: string;
  accessToken: string;
  /** User-Agent (SCIM requires one; default "commonplace-sdk-scim/0.1.0"). */
  userAgent?: string;
  /** Retries after the first attempt (default 4; 0 disables); delays between minDelayMs and maxDelayMs, Retry-After wins. */
  retry?: { retries?: number; minDelayMs?: number; maxDelayMs?: number };
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  clock?: () => number;
  onRetry?: (info: ScimRetryInfo) => void;
}

/** A SCIM error response (RFC 7644 §3.12), or an HTTP error without one. */
export class ScimApiError extends Error {
  readonly status: number;
  readonly scimType: string | undefined;
  readonly detail: string | undefined;
  readonly body: unknown;
  readonly retryAfterMs: number | undefined;
  readonly request: { method: string; url: string } | undefined;

  constructor(status: number, body: unknown, request?: { method: string; url: string }, retryAfterMs?: number) {
    const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const detail = typeof b.detail === 'string' ? b.detail : typeof body === 'string' && body !== '' ? body.slice(0, 300) : undefined;
    super(`SCIM ${status}${typeof b.scimType === 'string' ? ` (${b.scimType})` : ''}: ${detail ?? 'no detail'}${request ? ` [${request.method} ${request.url}]` : ''}`);
    this.name = 'ScimApiError';
    this.status = status;
    this.scimType = typeof b.scimType === 'string' ? b.scimType : undefined;
    this.detail = detail;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
    this.request = request;
  }

  /** True for 429 and 5xx: the same request may succeed later. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }

  /**
   * True when the server's mass-deactivation guard refused the change: Commonplace answers 409
   * with a detail naming the hourly deactivation limit. Retrying only repeats the refusal.
   */
  get isDeactivationLimit(): boolean {
    return this.status === 409 && this.scimType !== 'uniqueness' && /deactivat/i.test(this.detail ?? '') && /limit/i.test(this.detail ?? '');
  }
}

/** A network failure reaching the SCIM server. */
export class ScimNetworkError extends Error {
  readonly code: string | undefined;
  constructor(request: { method: string; url: string }, cause: unknown) {
    const code = (cause as { cause?: { code?: string }; code?: string })?.cause?.code ?? (cause as { code?: string })?.code;
    super(`SCIM request failed: ${request.method} ${request.url}${code ? ` (${code})` : ''}`, { cause });
    this.name = 'ScimNetworkError';
    this.code = code;
  }
  get retryable(): boolean {
    return this.code !== undefined && RETRYABLE_NETWORK_CODES.has(this.code);
  }
}

// ---- filters ----------------------------------------------------------------------------

/** A filter expression; its string form is what goes on the wire. */
export class ScimFilter {
  constructor(readonly text: string) {}
  and(other: ScimFilter): ScimFilter {
    return new ScimFilter(`(${this.text}) and (${other.text})`);
  }
  or(other: ScimFilter): ScimFilter {
    return new ScimFilter(`(${this.text}) or (${other.text})`);
  }
  toString(): string {
    return this.text;
  }
}

const ATTRIBUTE_PATH = /^(urn:[A-Za-z0-9:._-]+:)?[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$/;

function attr(path: string): string {
  if (!ATTRIBUTE_PATH.test(path)) throw new TypeError(`not a SCIM attribute path: ${JSON.stringify(path)}`);
  return path;
}

/** A comparison value: strings quoted with JSON escaping (so quotes and backslashes are safe). */
function literal(value: string | number | boolean | null | Date): string {
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a SCIM filter number must be finite');
    return String(value);
  }
  return JSON.stringify(value);
}

type Comparable = string | number | boolean | null | Date;
const compare = (op: string) => (path: string, value: Comparable) => new ScimFilter(`${attr(path)} ${op} ${literal(value)}`);

/** Builds SCIM filters: `scimFilter.eq('userName', 'ana@example.com').and(scimFilter.pr('externalId'))`. */
export const scimFilter = {
  eq: compare('eq'),
  ne: compare('ne'),
  co: compare('co'),
  sw: compare('sw'),
  ew: compare('ew'),
  gt: compare('gt'),
  ge: compare('ge'),
  lt: compare('lt'),
  le: compare('le'),
  pr: (path: string) => new ScimFilter(`${attr(path)} pr`),
  not: (filter: ScimFilter) => new ScimFilter(`not (${filter.text})`),
  and: (...filters: ScimFilter[]) => new ScimFilter(filters.map((f) => `(${f.text})`).join(' and ')),
  or: (...filters: ScimFilter[]) => new ScimFilter(filters.map((f) => `(${f.text})`).join(' or ')),
};

// ---- PATCH ------------------------------------------------------------------------------

/** Builds a PatchOp body: `scimPatch().replace('active', false).replace('title', 'CTO').build()`. */
export class ScimPatchBuilder {
  readonly operations: ScimPatchOperation[] = [];
  add(path: string | undefined, value: unknown): this {
    this.operations.push(path === undefined ? { op: 'add', value } : { op: 'add', path, value });
    return this;
  }
  replace(path: string | undefined, value: unknown): this {
    this.operations.push(path === undefined ? { op: 'replace', value } : { op: 'replace', path, value });
    return this;
  }
  remove(path: string): this {
    this.operations.push({ op: 'remove', path });
    return this;
  }
  get empty(): boolean {
    return this.operations.length === 0;
  }
  build(): ScimPatchRequest {
    return { schemas: [SCIM_URN.patchOp], Operations: [...this.operations] };
  }
}

export const scimPatch = (): ScimPatchBuilder => new ScimPatchBuilder();

/** PATCH bodies for the usual account changes. */
export const scimPatches = {
  deactivate: (): ScimPatchRequest => scimPatch().replace('active', false).build(),
  reactivate: (): ScimPatchRequest => scimPatch().replace('active', true).build(),
  setManager: (managerId: string | null): ScimPatchRequest =>
    managerId === null ? scimPatch().remove(`${SCIM_URN.enterprise}:manager`).build() : scimPatch().replace(`${SCIM_URN.enterprise}:manager`, { value: managerId, managerId }).build(),
  addMembers: (userIds: readonly string[]): ScimPatchRequest => scimPatch().add('members', userIds.map((value) => ({ value }))).build(),
  removeMember: (userId: string): ScimPatchRequest => scimPatch().remove(`members[value eq ${literal(userId)}]`).build(),
};

// ---- client -----------------------------------------------------------------------------

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const idFromLocation = (location: string | undefined) => (location ? decodeURIComponent(location.replace(/\/+$/, '').split('/').pop() ?? '') || undefined : undefined);

/** Client for a SCIM 2.0 service provider. */
export class ScimClient {
  readonly root: string;
  readonly #o: ScimClientOptions;
  readonly #fetch: typeof globalThis.fetch;
  readonly #retries: number;
  readonly #minDelay: number;
  readonly #maxDelay: number;

  constructor(options: ScimClientOptions) {
    if (!options?.baseUrl) throw new TypeError('ScimClient needs a baseUrl such as http://127.0.0.1:8080/scim/v2');
    if (!options.accessToken) throw new TypeError('ScimClient needs an accessToken (an integration token with manage_accounts)');
    this.#o = { ...options, accessToken: options.accessToken.trim().replace(/^bearer\s+/i, '') };
    this.root = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#retries = Math.max(0, options.retry?.retries ?? 4);
    this.#minDelay = Math.max(0, options.retry?.minDelayMs ?? 250);
    this.#maxDelay = Math.max(0, options.retry?.maxDelayMs ?? 30_000);
  }

  /** Sends one request with retries; resolves to the parsed body (null for 204). */
  async request<T = unknown>(method: string, path: string, body?: unknown, options: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
    const sleep = this.#o.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#send(method, path, body, options)) as T;
      } catch (error) {
        const retryable = (error instanceof ScimApiError || error instanceof ScimNetworkError) && error.retryable;
        if (!retryable || attempt >= this.#retries || options.signal?.aborted) throw error;
        const delayMs = this.#delay(attempt, error);
        this.#o.onRetry?.({ attempt: attempt + 1, delayMs, error: error as Error, method, url: redactUrl(this.#url(path).toString()) });
        await sleep(delayMs);
      }
    }
  }

  serviceProviderConfig<T = Record<string, unknown>>(): Promise<T> {
    return this.request<T>('GET', 'ServiceProviderConfig');
  }

  getUser(id: string, options: { attributes?: readonly string[] } = {}): Promise<ScimUser> {
    return this.request<ScimUser>('GET', `Users/${encodeURIComponent(id)}${query({ attributes: options.attributes?.join(',') })}`);
  }

  /** The first user a filter matches, or undefined. */
  async findUser(filter: string | ScimFilter): Promise<ScimUser | undefined> {
    const page = await this.listUsers({ filter, count: 1 });
    return page.Resources?.[0];
  }

  findUserByUserName(userName: string): Promise<ScimUser | undefined> {
    return this.findUser(scimFilter.eq('userName', userName));
  }

  /** One page of users. */
  listUsers(options: ScimListOptions = {}): Promise<ScimListResponse<ScimUser>> {
    return this.#list<ScimUser>('Users', options);
  }

  /** Every user matching the options, page after page (startIndex paging). */
  users(options: ScimListOptions = {}): AsyncGenerator<ScimUser, void, undefined> {
    return this.#all<ScimUser>('Users', options);
  }

  createUser(user: ScimUser): Promise<ScimUser> {
    return this.request<ScimUser>('POST', 'Users', { schemas: user.schemas ?? schemasOf(user), ...user });
  }

  /** PUT: sends a full representation (Commonplace, like Workplace, leaves attributes it omits unchanged); `ifMatch` makes it conditional. */
  replaceUser(id: string, user: ScimUser, options: { ifMatch?: string } = {}): Promise<ScimUser> {
    return this.request<ScimUser>('PUT', `Users/${encodeURIComponent(id)}`, { schemas: user.schemas ?? schemasOf(user), ...user }, { headers: ifMatch(options) });
  }

  patchUser(id: string, patch: ScimPatchRequest | ScimPatchBuilder | ScimPatchOperation[], options: { ifMatch?: string } = {}): Promise<ScimUser> {
    return this.request<ScimUser>('PATCH', `Users/${encodeURIComponent(id)}`, patchBody(patch), { headers: ifMatch(options) });
  }

  deactivateUser(id: string): Promise<ScimUser> {
    return this.patchUser(id, scimPatches.deactivate());
  }

  reactivateUser(id: string): Promise<ScimUser> {
    return this.patchUser(id, scimPatches.reactivate());
  }

  async deleteUser(id: string): Promise<void> {
    await this.request('DELETE', `Users/${encodeURIComponent(id)}`);
  }

  getGroup(id: string): Promise<ScimGroup> {
    return this.request<ScimGroup>('GET', `Groups/${encodeURIComponent(id)}`);
  }

  listGroups(options: ScimListOptions = {}): Promise<ScimListResponse<ScimGroup>> {
    return this.#list<ScimGroup>('Groups', options);
  }

  groups(options: ScimListOptions = {}): AsyncGenerator<ScimGroup, void, undefined> {
    return this.#all<ScimGroup>('Groups', options);
  }

  createGroup(group: ScimGroup): Promise<ScimGroup> {
    return this.request<ScimGroup>('POST', 'Groups', { schemas: [SCIM_URN.group], ...group });
  }

  patchGroup(id: string, patch: ScimPatchRequest | ScimPatchBuilder | ScimPatchOperation[]): Promise<ScimGroup | null> {
    return this.request<ScimGroup | null>('PATCH', `Groups/${encodeURIComponent(id)}`, patchBody(patch));
  }

  async deleteGroup(id: string): Promise<void> {
    await this.request('DELETE', `Groups/${encodeURIComponent(id)}`);
  }

  /**
   * POST /Bulk: the results in request order. Operations the server did not run (after
   * failOnErrors was reached) are absent from the answer.
   */
  async bulk(operations: readonly ScimBulkOperation[], options: { failOnErrors?: number; signal?: AbortSignal } = {}): Promise<ScimBulkResult[]> {
    const body: Record<string, unknown> = { schemas: [SCIM_URN.bulkRequest], Operations: operations };
    if (options.failOnErrors !== undefined) body.failOnErrors = options.failOnErrors;
    const answer = await this.request<{ Operations?: Record<string, unknown>[] }>('POST', 'Bulk', body, { signal: options.signal });
    return (answer?.Operations ?? []).map((r) => {
      const status = Number(r.status);
      const location = typeof r.location === 'string' ? r.location : undefined;
      const result: ScimBulkResult = { status, method: r.method as string | undefined, bulkId: r.bulkId as string | undefined, location, version: r.version as string | undefined };
      if (status >= 400) result.error = new ScimApiError(status, r.response, { method: String(r.method ?? ''), url: String(r.location ?? r.bulkId ?? '') });
      else result.id = idFromLocation(location);
      return result;
    });
  }

  async #list<T>(resource: string, o: ScimListOptions): Promise<ScimListResponse<T>> {
    const q = query({
      filter: o.filter === undefined ? undefined : String(o.filter),
      count: o.count,
      startIndex: o.startIndex,
      attributes: o.attributes?.join(','),
      excludedAttributes: o.excludedAttributes?.join(','),
      sortBy: o.sortBy,
      sortOrder: o.sortOrder,
    });
    const page = await this.request<ScimListResponse<T>>('GET', `${resource}${q}`, undefined, { signal: o.signal });
    if (!page || typeof page !== 'object' || typeof page.totalResults !== 'number') throw new TypeError(`GET ${resource} did not answer a SCIM ListResponse`);
    return page;
  }

  async *#all<T>(resource: string, o: ScimListOptions): AsyncGenerator<T, void, undefined> {
    let startIndex = o.startIndex ?? 1;
    const count = o.count ?? 100;
    for (;;) {
      const page = await this.#list<T>(resource, { ...o, startIndex, count });
      const items = page.Resources ?? [];
      yield* items;
      startIndex += items.length;
      if (items.length === 0 || startIndex > page.totalResults) return;
    }
  }

  #url(path: string): URL {
    return new URL(`${this.root}/${path.replace(/^\/+/, '')}`);
  }

  async #send(method: string, path: string, body: unknown, options: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<unknown> {
    const url = this.#url(path);
    const headers: Record<string, string> = {
      accept: 'application/scim+json, application/json',
      authorization: `Bearer ${this.#o.accessToken}`,
      'user-agent': this.#o.userAgent ?? 'commonplace-sdk-scim/0.1.0',
      ...options.headers,
    };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/scim+json';
      init.body = JSON.stringify(body);
    }
    if (options.signal) init.signal = options.signal;
    const info = { method, url: redactUrl(url.toString()) };
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, init);
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ScimNetworkError(info, error);
    }
    const parsed = parse(text);
    if (response.ok) return parsed;
    throw new ScimApiError(response.status, parsed, info, parseRetryAfter(response.headers.get('retry-after'), (this.#o.clock ?? Date.now)()));
  }

  #delay(attempt: number, error: unknown): number {
    if (error instanceof ScimApiError && error.retryAfterMs !== undefined) return error.retryAfterMs;
    const cap = Math.max(this.#minDelay, Math.min(this.#maxDelay, this.#minDelay * 2 ** (attempt + 1)));
    return Math.round(this.#minDelay + (this.#o.random ?? Math.random)() * (cap - this.#minDelay));
  }
}

/** A query string with %20 for spaces: servers may read a "+" inside a quoted filter value literally. */
function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function ifMatch(options: { ifMatch?: string }): Record<string, string> {
  return options.ifMatch ? { 'if-match': options.ifMatch } : {};
}

function patchBody(patch: ScimPatchRequest | ScimPatchBuilder | ScimPatchOperation[]): ScimPatchRequest {
  if (patch instanceof ScimPatchBuilder) return patch.build();
  if (Array.isArray(patch)) return { schemas: [SCIM_URN.patchOp], Operations: patch };
  return patch as ScimPatchRequest;
}

/** The schemas a user body uses: core plus each extension present. */
export function schemasOf(user: ScimUser): string[] {
  return [SCIM_URN.user, ...Object.keys(user).filter((k) => k.startsWith('urn:ietf:params:scim:schemas:extension:'))];
}
