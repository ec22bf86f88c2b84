import { createHmac } from 'node:crypto';
import { GraphApiError, GraphNetworkError, extractError, redactUrl } from './errors.js';
import type { GraphRequestInfo } from './errors.js';
import { PageIterable, toPage } from './paging.js';
import type {
  BatchOptions,
  BatchRequest,
  BatchResponse,
  BatchHeader,
  CollectOptions,
  Comment,
  CommentInput,
  CommentsOptions,
  CreateGroupInput,
  FeedOptions,
  Fields,
  GraphClientOptions,
  Group,
  HttpMethod,
  IdResult,
  ListOptions,
  Member,
  MemberRef,
  Page,
  PageOptions,
  Paged,
  ParamValue,
  Params,
  PhotoInput,
  PhotoResult,
  Post,
  PostInput,
  RequestOptions,
  SuccessResult,
  UpdateGroupInput,
  UploadFile,
  Usage,
} from './types.js';

/** SDK version sent in the default User-Agent. */
export const SDK_VERSION = '0.1.0';

/** Most operations Graph accepts in one batch request. */
export const MAX_BATCH_SIZE = 50;

const DEFAULT_RETRIES = 3;
const DEFAULT_MIN_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 10_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Computes appsecret_proof: hex HMAC-SHA256 of the token (or of "token|time" when a time is given). */
export function appsecretProof(appSecret: string, accessToken: string, appsecretTime?: number): string {
  const message = appsecretTime === undefined ? accessToken : `${accessToken}|${appsecretTime}`;
  return createHmac('sha256', appSecret).update(message).digest('hex');
}

/** Turns a fields selection into the comma-separated form Graph expects. */
export function fieldsParam(fields: Fields | undefined): string | undefined {
  if (fields === undefined) return undefined;
  return typeof fields === 'string' ? fields : fields.join(',');
}

/** Serialises one parameter value for a query string or form (objects/arrays as JSON, Dates as unix seconds). */
export function encodeParamValue(value: ParamValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return String(Math.floor(value.getTime() / 1000));
  return JSON.stringify(value);
}

/** Encodes params as URLSearchParams (undefined and null values are skipped). */
export function encodeForm(params: Params | undefined): URLSearchParams {
  const out = new URLSearchParams();
  if (!params) return out;
  for (const [key, value] of Object.entries(params)) {
    const encoded = encodeParamValue(value);
    if (encoded !== undefined) out.append(key, encoded);
  }
  return out;
}

function jsonValue(value: ParamValue): unknown {
  return value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
}

const ESCAPE_SEGMENT = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~%!$'()*:]/gu;

/** Percent-encodes each segment of a Graph path (so "a@b.com" becomes "a%40b.com"), keeping existing %XX escapes. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => segment.replace(ESCAPE_SEGMENT, (c) => encodeURIComponent(c)))
    .join('/');
}

function isAbsolute(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseJsonHeader(value: string | null): Record<string, unknown> | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toBlob(file: UploadFile): { blob: Blob; filename: string | undefined } {
  if (file instanceof Blob) {
    const name = (file as { name?: unknown }).name;
    return { blob: file, filename: typeof name === 'string' ? name : undefined };
  }
  const { data, filename, contentType } = file;
  const options = contentType ? { type: contentType } : {};
  const blob = data instanceof Blob ? data : new Blob([data as Uint8Array<ArrayBuffer> | ArrayBuffer], options);
  return { blob, filename };
}

function memberParams(ref: MemberRef): { member: string } | { email: string } {
  if (typeof ref !== 'string') return ref;
  return ref.includes('@') ? { email: ref } : { member: ref };
}

function listParams(options: ListOptions = {}): Params {
  return { fields: fieldsParam(options.fields), limit: options.limit, ...options.params };
}

interface ResolvedRetry {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/** Client for Commonplace's (and Workplace's) Graph API: auth, retries, typed errors, paging, batch, helpers. */
export class GraphClient {
  /** Graph root requests are resolved against, including the version prefix. */
  readonly root: string;
  /** Rate-limit usage from the last response that reported it. */
  lastUsage: Usage = {};

  readonly #options: GraphClientOptions;
  readonly #token: string | undefined;
  readonly #fetch: typeof globalThis.fetch;
  readonly #retry: ResolvedRetry;

  /** Builds an app access token "APP_ID|APP_SECRET". */
  static appToken(appId: string, appSecret: string): string {
    return `${appId}|${appSecret}`;
  }

  constructor(options: GraphClientOptions) {
    if (!options || typeof options.baseUrl !== 'string' || options.baseUrl === '') {
      throw new TypeError('GraphClient needs a baseUrl such as http://127.0.0.1:8080/graph');
    }
    this.#options = { ...options };
    const version = options.version?.trim().replace(/^\/+|\/+$/g, '');
    const prefix = version ? `/${version.startsWith('v') ? version : `v${version}`}` : '';
    this.root = options.baseUrl.replace(/\/+$/, '') + prefix;
    const token = options.accessToken?.trim().replace(/^bearer\s+/i, '').trim();
    if (token) this.#token = token;
    else if (options.appId && options.appSecret) this.#token = GraphClient.appToken(options.appId, options.appSecret);
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('no fetch implementation available');
    this.#fetch = fetchImpl;
    this.#retry = {
      retries: Math.max(0, options.retry?.retries ?? DEFAULT_RETRIES),
      minDelayMs: Math.max(0, options.retry?.minDelayMs ?? DEFAULT_MIN_DELAY_MS),
      maxDelayMs: Math.max(0, options.retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS),
    };
  }

  /** The token the client sends (integration token or app token), if any. */
  get accessToken(): string | undefined {
    return this.#token;
  }

  /** Returns a new client with some options replaced (e.g. another token). */
  withOptions(overrides: Partial<GraphClientOptions>): GraphClient {
    return new GraphClient({ ...this.#options, ...overrides });
  }

  /** GET a path (params go in the query string). */
  get<T = unknown>(path: string, params?: Params, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, params, options);
  }

  /** POST to a path (params go in a JSON body, a form with bodyFormat 'form', or multipart when files are given). */
  post<T = unknown>(path: string, params?: Params, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, params, options);
  }

  /** DELETE a path (params go in the query string). */
  delete<T = unknown>(path: string, params?: Params, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, params, options);
  }

  /** Sends one request with auth and retries; resolves to the parsed JSON body, rejects with GraphApiError/GraphNetworkError. */
  async request<T = unknown>(method: HttpMethod, path: string, params?: Params, options: RequestOptions = {}): Promise<T> {
    const sleep = this.#options.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#send(method, path, params, options)) as T;
      } catch (error) {
        const retryable = (error instanceof GraphApiError || error instanceof GraphNetworkError) && error.retryable;
        if (!retryable || attempt >= this.#retry.retries || options.signal?.aborted) throw error;
        const delayMs = this.#delay(attempt, error);
        this.#options.onRetry?.({ attempt: attempt + 1, delayMs, error, method, url: error.request?.url ?? path });
        await sleep(delayMs);
        if (options.signal?.aborted) throw error;
      }
    }
  }

  /** Iterates the items of a list, following paging.next verbatim until it disappears. */
  paginate<T = unknown>(path: string, params?: Params, options: PageOptions = {}): PageIterable<T> {
    const label = `GET ${path}`;
    return new PageIterable<T>(
      async (signal) => toPage<T>(await this.get(path, params, signal ? { signal } : {}), label),
      async (url, signal) => toPage<T>(await this.get(url, undefined, signal ? { signal } : {}), label),
      options,
    );
  }

  /** Iterates whole pages `{data, paging, summary}` of a list. */
  pages<T = unknown>(path: string, params?: Params, options: PageOptions = {}): AsyncGenerator<Paged<T>, void, undefined> {
    return this.paginate<T>(path, params, options).pages();
  }

  /** Reads a list into an array, stopping once `max` items are in. */
  collect<T = unknown>(path: string, params?: Params, options: CollectOptions = {}): Promise<T[]> {
    return this.paginate<T>(path, params).collect(options);
  }

  /** Sends up to 50 operations in one batch request (POST / with form fields batch and include_headers). */
  async batch<T = unknown>(requests: readonly BatchRequest[], options: BatchOptions = {}): Promise<(BatchResponse<T> | null)[]> {
    if (requests.length > MAX_BATCH_SIZE) {
      throw new RangeError(`a batch holds at most ${MAX_BATCH_SIZE} requests (got ${requests.length})`);
    }
    if (requests.length === 0) return [];
    const operations = requests.map((request) => {
      const operation: Record<string, unknown> = { method: request.method, relative_url: request.relative_url };
      if (request.body !== undefined) {
        operation['body'] = typeof request.body === 'string' ? request.body : encodeForm(request.body).toString();
      }
      if (request.name !== undefined) operation['name'] = request.name;
      if (request.depends_on !== undefined) operation['depends_on'] = request.depends_on;
      if (request.omit_response_on_success !== undefined) operation['omit_response_on_success'] = request.omit_response_on_success;
      return operation;
    });
    const requestOptions: RequestOptions = { bodyFormat: 'form' };
    if (options.signal) requestOptions.signal = options.signal;
    const answer = await this.post<unknown>(
      '/',
      { batch: JSON.stringify(operations), include_headers: options.includeHeaders ?? false },
      requestOptions,
    );
    if (!Array.isArray(answer)) throw new TypeError('batch response is not a JSON array');
    return answer.map((item: unknown) => {
      if (item === null || typeof item !== 'object') return null;
      const raw = item as { code?: unknown; headers?: unknown; body?: unknown };
      const result: BatchResponse<T> = {
        code: typeof raw.code === 'number' ? raw.code : Number(raw.code),
        body: (typeof raw.body === 'string' ? parseBody(raw.body) : (raw.body ?? null)) as T | null,
      };
      if (Array.isArray(raw.headers)) result.headers = raw.headers as BatchHeader[];
      return result;
    });
  }

  /** Reads the token owner (`me`: the bot page for an integration token). */
  me<T extends object = Page>(fields?: Fields): Promise<T> {
    return this.get<T>('me', { fields: fieldsParam(fields) });
  }

  /** Reads the community (root group). */
  community(fields?: Fields): Promise<Group> {
    return this.get<Group>('community', { fields: fieldsParam(fields) });
  }

  /** Iterates the community's groups (/community/groups). */
  groups(options?: ListOptions): PageIterable<Group> {
    return this.paginate<Group>('community/groups', listParams(options));
  }

  /** Iterates the community's members (/community/members). */
  communityMembers(options?: ListOptions): PageIterable<Member> {
    return this.paginate<Member>('community/members', listParams(options));
  }

  /** Reads one group. */
  group(groupId: string, fields?: Fields): Promise<Group> {
    return this.get<Group>(groupId, { fields: fieldsParam(fields) });
  }

  /** Creates a group (POST /community/groups). */
  createGroup(input: CreateGroupInput): Promise<IdResult> {
    return this.post<IdResult>('community/groups', input);
  }

  /** Updates a group's writable fields (POST /{group-id}). */
  updateGroup(groupId: string, fields: UpdateGroupInput): Promise<SuccessResult> {
    return this.post<SuccessResult>(groupId, fields);
  }

  /** Iterates a group's feed. */
  feed(groupId: string, options: FeedOptions = {}): PageIterable<Post> {
    const params: Params = { ...listParams(options), since: options.since, until: options.until };
    return this.paginate<Post>(`${groupId}/feed`, params);
  }

  /** Reads one post. */
  getPost(postId: string, fields?: Fields): Promise<Post> {
    return this.get<Post>(postId, { fields: fieldsParam(fields) });
  }

  /** Publishes a post to a group feed; one of message or link is required. */
  postToGroup(groupId: string, input: PostInput): Promise<IdResult> {
    if (!input.message && !input.link) return Promise.reject(new TypeError('postToGroup needs a message or a link'));
    return this.post<IdResult>(`${groupId}/feed`, input);
  }

  /** Replaces a post's message (POST /{post-id}). */
  editPost(postId: string, message: string, extra?: Params): Promise<SuccessResult> {
    return this.post<SuccessResult>(postId, { ...extra, message });
  }

  /** Deletes a post (or any deletable object). */
  deletePost(postId: string): Promise<SuccessResult> {
    return this.delete<SuccessResult>(postId);
  }

  /** Comments on a post, comment or other object. */
  comment(objectId: string, input: string | CommentInput): Promise<IdResult> {
    const params: Params = typeof input === 'string' ? { message: input } : input;
    return this.post<IdResult>(`${objectId}/comments`, params);
  }

  /** Iterates the comments on an object. */
  comments(objectId: string, options: CommentsOptions = {}): PageIterable<Comment> {
    const params: Params = { ...listParams(options), order: options.order, filter: options.filter };
    return this.paginate<Comment>(`${objectId}/comments`, params);
  }

  /** Likes an object as the token owner. */
  like(objectId: string): Promise<SuccessResult> {
    return this.post<SuccessResult>(`${objectId}/likes`);
  }

  /** Removes the token owner's like. */
  unlike(objectId: string): Promise<SuccessResult> {
    return this.delete<SuccessResult>(`${objectId}/likes`);
  }

  /** Adds a member to a group by id or email (a string containing "@" is treated as an email). */
  addMember(groupId: string, who: MemberRef): Promise<SuccessResult> {
    return this.post<SuccessResult>(`${groupId}/members`, memberParams(who));
  }

  /** Removes a member from a group by id or email. */
  removeMember(groupId: string, who: MemberRef): Promise<SuccessResult> {
    return this.delete<SuccessResult>(`${groupId}/members`, memberParams(who));
  }

  /** Iterates a group's members. */
  members(groupId: string, options?: ListOptions): PageIterable<Member> {
    return this.paginate<Member>(`${groupId}/members`, listParams(options));
  }

  /** Reads a member by id or email. */
  member(idOrEmail: string, fields?: Fields): Promise<Member> {
    return this.get<Member>(idOrEmail, { fields: fieldsParam(fields) });
  }

  /** Uploads a photo to a group or `me` from a public url or a file (multipart field `source`). */
  uploadPhoto(targetId: string, input: PhotoInput): Promise<PhotoResult> {
    const { url, file, ...rest } = input;
    const params: Record<string, ParamValue> = {};
    for (const [key, value] of Object.entries(rest)) params[key] = value as ParamValue;
    if (file !== undefined) return this.post<PhotoResult>(`${targetId}/photos`, params, { files: { source: file } });
    if (!url) return Promise.reject(new TypeError('uploadPhoto needs a url or a file'));
    return this.post<PhotoResult>(`${targetId}/photos`, { ...params, url });
  }

  #authParams(): Record<string, string> {
    const out: Record<string, string> = {};
    const token = this.#token;
    if (!token) return out;
    if ((this.#options.authStyle ?? 'header') === 'query') out['access_token'] = token;
    const mode = this.#options.appsecretProof;
    const secret = this.#options.appSecret;
    const explicitToken = this.#options.accessToken?.trim();
    if (mode && secret && explicitToken) {
      if (mode === 'timed') {
        const time = Math.floor((this.#options.clock ?? Date.now)() / 1000);
        out['appsecret_time'] = String(time);
        out['appsecret_proof'] = appsecretProof(secret, token, time);
      } else {
        out['appsecret_proof'] = appsecretProof(secret, token);
      }
    }
    return out;
  }

  #url(path: string): URL {
    if (isAbsolute(path)) return new URL(path);
    const q = path.indexOf('?');
    const pathname = q < 0 ? path : path.slice(0, q);
    const url = new URL(`${this.root}/${encodePath(pathname)}`);
    if (q >= 0) for (const [key, value] of new URLSearchParams(path.slice(q + 1))) url.searchParams.append(key, value);
    return url;
  }

  #build(method: HttpMethod, path: string, params: Params | undefined, options: RequestOptions): { url: URL; init: RequestInit } {
    const url = this.#url(path);
    const auth = this.#authParams();
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.#options.userAgent ?? `commonplace-sdk/${SDK_VERSION}`,
    };
    if (this.#token && (this.#options.authStyle ?? 'header') === 'header') headers['authorization'] = `Bearer ${this.#token}`;
    const init: RequestInit = { method, headers };
    if (options.signal) init.signal = options.signal;

    if (method !== 'POST') {
      for (const [key, value] of encodeForm(params)) url.searchParams.append(key, value);
      for (const [key, value] of Object.entries(auth)) {
        if (key === 'access_token' && url.searchParams.has(key)) continue;
        url.searchParams.set(key, value);
      }
    } else if (options.files && Object.keys(options.files).length > 0) {
      const form = new FormData();
      for (const [key, value] of encodeForm(params)) form.append(key, value);
      for (const [key, value] of Object.entries(auth)) form.append(key, value);
      for (const [field, file] of Object.entries(options.files)) {
        const { blob, filename } = toBlob(file);
        if (filename === undefined) form.append(field, blob);
        else form.append(field, blob, filename);
      }
      init.body = form;
    } else if ((options.bodyFormat ?? this.#options.bodyFormat ?? 'json') === 'form') {
      const form = encodeForm(params);
      for (const [key, value] of Object.entries(auth)) form.set(key, value);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = form.toString();
    } else {
      const body: Record<string, unknown> = {};
      if (params) for (const [key, value] of Object.entries(params)) if (value !== undefined) body[key] = jsonValue(value);
      Object.assign(body, auth);
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    Object.assign(headers, options.headers);
    return { url, init };
  }

  async #send(method: HttpMethod, path: string, params: Params | undefined, options: RequestOptions): Promise<unknown> {
    const { url, init } = this.#build(method, path, params, options);
    const info: GraphRequestInfo = { method, url: redactUrl(url.toString()) };
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, init);
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new GraphNetworkError(info, error);
    }
    this.#recordUsage(response.headers);
    if (response.ok) return parseBody(text);
    const now = (this.#options.clock ?? Date.now)();
    throw GraphApiError.fromResponse(response.status, response.statusText, text, info, parseRetryAfter(response.headers.get('retry-after'), now));
  }

  #delay(attempt: number, error: GraphApiError | GraphNetworkError): number {
    if (error instanceof GraphApiError && error.retryAfterMs !== undefined) return error.retryAfterMs;
    const { minDelayMs, maxDelayMs } = this.#retry;
    const cap = Math.max(minDelayMs, Math.min(maxDelayMs, minDelayMs * 2 ** (attempt + 1)));
    const random = (this.#options.random ?? Math.random)();
    return Math.round(minDelayMs + random * (cap - minDelayMs));
  }

  #recordUsage(headers: Headers): void {
    const app = parseJsonHeader(headers.get('x-app-usage'));
    const page = parseJsonHeader(headers.get('x-page-usage'));
    const businessUseCase = parseJsonHeader(headers.get('x-business-use-case-usage'));
    if (!app && !page && !businessUseCase) return;
    const usage: Usage = {};
    if (app) usage.app = app as Record<string, number>;
    if (page) usage.page = page as Record<string, number>;
    if (businessUseCase) usage.businessUseCase = businessUseCase;
    this.lastUsage = usage;
  }
}

/** Returns the Graph error carried by a batch item's body, if any, as a GraphApiError. */
export function batchItemError(item: BatchResponse | null): GraphApiError | undefined {
  if (item === null) return undefined;
  const error = extractError(item.body);
  if (!error && item.code < 400) return undefined;
  const text = typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
  return GraphApiError.fromResponse(item.code, '', text ?? '');
}

