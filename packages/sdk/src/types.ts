/** A parameter value; objects and arrays are JSON-encoded in query strings and forms, Dates become unix seconds. */
export type ParamValue = string | number | boolean | Date | null | undefined | readonly unknown[] | { readonly [key: string]: unknown };

/** Request parameters: sent as the query string (GET, DELETE) or the body (POST). */
export type Params = { readonly [key: string]: ParamValue };

/** A file for a multipart upload: a Blob, or raw bytes with a filename. */
export type UploadFile =
  | Blob
  | { readonly data: Blob | Uint8Array | ArrayBuffer; readonly filename: string; readonly contentType?: string };

/** How a POST body is encoded when no files are attached. */
export type BodyFormat = 'json' | 'form';

/** HTTP methods the Graph API uses. */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Retry schedule for transient failures (throttling codes, 429, 5xx, network errors). */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables retrying). */
  retries?: number;
  /** Lower bound of a back-off delay in ms (default 250). */
  minDelayMs?: number;
  /** Upper bound of a back-off delay in ms (default 10000); Retry-After from the server wins. */
  maxDelayMs?: number;
}

/** Information passed to the onRetry hook before each back-off sleep. */
export interface RetryInfo {
  /** 1 for the first retry, 2 for the second, and so on. */
  attempt: number;
  /** The delay about to be slept, in ms. */
  delayMs: number;
  /** The error that triggered the retry (GraphApiError or GraphNetworkError). */
  error: Error;
  method: HttpMethod;
  url: string;
}

/** Options for GraphClient. */
export interface GraphClientOptions {
  /** Graph root, e.g. http://127.0.0.1:8080/graph (a trailing slash is tolerated). */
  baseUrl: string;
  /** Integration (or app) access token; a leading "Bearer " is stripped. */
  accessToken?: string;
  /** App id; with appSecret and no accessToken the client uses the app token APP_ID|APP_SECRET. */
  appId?: string;
  /** App secret, used for appsecret_proof and for the app token. */
  appSecret?: string;
  /** Send appsecret_proof (true) or appsecret_proof + appsecret_time ('timed'); default false. */
  appsecretProof?: boolean | 'timed';
  /** Where the token goes: Authorization header (default) or access_token parameter. */
  authStyle?: 'header' | 'query';
  /** API version prefix such as "v19.0" or "19.0"; omitted by default. */
  version?: string;
  /** Retry schedule; see RetryOptions. */
  retry?: RetryOptions;
  /** Default POST body encoding (default 'json'). */
  bodyFormat?: BodyFormat;
  /** fetch implementation (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
  /** User-Agent header (default "commonplace-sdk/0.1.0"). */
  userAgent?: string;
  /** Current time in epoch ms (default Date.now); used for appsecret_time. */
  clock?: () => number;
  /** Sleep used between retries (default setTimeout); inject to make tests instant. */
  sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for back-off jitter (default Math.random). */
  random?: () => number;
  /** Called before each retry sleep. */
  onRetry?: (info: RetryInfo) => void;
}

/** Per-request options. */
export interface RequestOptions {
  /** Files for a multipart/form-data upload, keyed by field name (e.g. source, file). */
  files?: { readonly [field: string]: UploadFile };
  /** POST body encoding for this request; overrides the client default. */
  bodyFormat?: BodyFormat;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Abort signal; aborting stops the request and any pending retries. */
  signal?: AbortSignal;
}

/** Cursors of a cursor-paged list. */
export interface Cursors {
  before?: string;
  after?: string;
}

/** The paging block of a Graph list. */
export interface Paging {
  cursors?: Cursors;
  /** Absolute URL of the next page; absent on the last page. */
  next?: string;
  /** Absolute URL of the previous page; absent on the first page. */
  previous?: string;
}

/** The summary block added by summary=true. */
export interface Summary {
  total_count?: number;
  [key: string]: unknown;
}

/** One page of a Graph list. */
export interface Paged<T> {
  data: T[];
  paging?: Paging;
  summary?: Summary;
}

/** Options for paging iterators. */
export interface PageOptions {
  /** Follow paging.next (default) or paging.previous. */
  direction?: 'next' | 'previous';
  /** Stop after this many pages. */
  maxPages?: number;
  /** Abort signal for every page request. */
  signal?: AbortSignal;
}

/** Options for collect(). */
export interface CollectOptions extends PageOptions {
  /** Stop once this many items are collected. */
  max?: number;
}

/** A create response. */
export interface IdResult {
  id: string;
}

/** An update/delete/edge response. */
export interface SuccessResult {
  success: boolean;
}

/** A reference to a member or page, as in `from`. */
export interface ProfileRef {
  id: string;
  name?: string;
  email?: string;
  [key: string]: unknown;
}

/** A group (also the shape of /community). */
export interface Group {
  id: string;
  name?: string;
  description?: string;
  privacy?: 'OPEN' | 'CLOSED' | 'SECRET';
  purpose?: string;
  icon?: string;
  cover_url?: string;
  archived?: boolean;
  is_community?: boolean;
  is_workplace_default?: boolean;
  post_permissions?: 'NONE' | 'ADMIN_ONLY';
  post_requires_admin_approval?: boolean;
  join_setting?: 'NONE' | 'ANYONE' | 'ADMIN_ONLY';
  owner?: ProfileRef;
  updated_time?: string;
  [key: string]: unknown;
}

/** A post in a group feed. */
export interface Post {
  id: string;
  message?: string;
  formatting?: 'MARKDOWN' | 'PLAINTEXT';
  from?: ProfileRef;
  created_time?: string;
  updated_time?: string;
  link?: string;
  permalink_url?: string;
  type?: string;
  status_type?: string;
  story?: string;
  object_id?: string;
  [key: string]: unknown;
}

/** A comment on a post, photo, comment or other object. */
export interface Comment {
  id: string;
  message?: string;
  from?: ProfileRef;
  created_time?: string;
  like_count?: number;
  comment_count?: number;
  parent?: { id: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A community member. */
export interface Member {
  id: string;
  name?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  title?: string;
  department?: string;
  division?: string;
  organization?: string;
  employee_number?: string;
  external_id?: string;
  locale?: string;
  link?: string;
  picture?: unknown;
  primary_phone?: string;
  primary_address?: string;
  updated_time?: string;
  account_invite_time?: string;
  account_claim_time?: string;
  account_deactivate_time?: string;
  /** Set on group member lists. */
  administrator?: boolean;
  [key: string]: unknown;
}

/** A page (an integration's bot page is what `me` returns for its token). */
export interface Page {
  id: string;
  name?: string;
  category?: string;
  link?: string;
  picture?: unknown;
  [key: string]: unknown;
}

/** A field selection: "id,name,from{name}" or ["id", "name"]. */
export type Fields = string | readonly string[];

/** Options for list helpers. */
export interface ListOptions {
  fields?: Fields;
  /** Page size requested from the server. */
  limit?: number;
  /** Extra query parameters (e.g. order, summary, filter). */
  params?: Params;
}

/** Options for feed(). */
export interface FeedOptions extends ListOptions {
  /** Only posts after this time (unix seconds, Date or strtotime string). */
  since?: number | Date | string;
  /** Only posts before this time (unix seconds, Date or strtotime string). */
  until?: number | Date | string;
}

/** Options for comments(). */
export interface CommentsOptions extends ListOptions {
  order?: 'chronological' | 'reverse_chronological';
  filter?: 'stream' | 'toplevel';
}

/** Input of createGroup(). */
export interface CreateGroupInput {
  name: string;
  description?: string;
  privacy?: 'OPEN' | 'CLOSED' | 'SECRET';
  purpose?: string;
  post_permissions?: 'NONE' | 'ADMIN_ONLY';
  post_requires_admin_approval?: boolean;
  join_setting?: 'NONE' | 'ANYONE' | 'ADMIN_ONLY';
  cover_url?: string;
  /** User id to make the first admin. */
  admin?: string;
  [key: string]: ParamValue;
}

/** Writable group fields for updateGroup(). */
export interface UpdateGroupInput {
  name?: string;
  description?: string;
  privacy?: 'OPEN' | 'CLOSED' | 'SECRET';
  purpose?: string;
  post_permissions?: 'NONE' | 'ADMIN_ONLY';
  post_requires_admin_approval?: boolean;
  join_setting?: 'NONE' | 'ANYONE' | 'ADMIN_ONLY';
  cover_url?: string;
  archive?: boolean;
  [key: string]: ParamValue;
}

/** Input of postToGroup(); one of message or link is required. */
export interface PostInput {
  message?: string;
  formatting?: 'MARKDOWN' | 'PLAINTEXT';
  link?: string;
  attachment_url?: string;
  attachment_id?: string;
  /** Unpublished photos to attach, as [{ media_fbid }]. */
  attached_media?: readonly { media_fbid: string }[];
  [key: string]: ParamValue;
}

/** Input of comment() when more than a message is needed. */
export interface CommentInput {
  message?: string;
  attachment_url?: string;
  attachment_id?: string;
  [key: string]: ParamValue;
}

/** Who to add to or remove from a group: a member id or an email (or a string, classified by "@"). */
export type MemberRef = string | { member: string } | { email: string };

/** Input of uploadPhoto(): a public url or a file, plus an optional message. */
export interface PhotoInput {
  url?: string;
  file?: UploadFile;
  message?: string;
  caption?: string;
  /** false uploads an unpublished photo to attach to a post later. */
  published?: boolean;
  [key: string]: ParamValue | UploadFile;
}

/** Result of uploadPhoto(). */
export interface PhotoResult {
  id: string;
  post_id?: string;
}

/** One operation of a batch request. */
export interface BatchRequest {
  method: HttpMethod | 'PUT';
  relative_url: string;
  /** URL-encoded string or a params object (encoded for you). */
  body?: string | Params;
  /** Name for JSONPath references from later operations. */
  name?: string;
  depends_on?: string;
  omit_response_on_success?: boolean;
}

/** One header of a batch response item. */
export interface BatchHeader {
  name: string;
  value: string;
}

/** One parsed batch response item; null items in Graph's answer stay null. */
export interface BatchResponse<T = unknown> {
  code: number;
  headers?: BatchHeader[];
  /** The item body parsed as JSON (the raw string if it is not JSON), or null. */
  body: T | null;
}

/** Options for batch(). */
export interface BatchOptions {
  /** Ask Graph to include per-item headers (default false). */
  includeHeaders?: boolean;
  signal?: AbortSignal;
}

/** Rate-limit usage reported by the last response that carried usage headers. */
export interface Usage {
  /** Parsed X-App-Usage ({call_count,total_time,total_cputime} in percent). */
  app?: Record<string, number>;
  /** Parsed X-Page-Usage. */
  page?: Record<string, number>;
  /** Parsed X-Business-Use-Case-Usage. */
  businessUseCase?: Record<string, unknown>;
}
