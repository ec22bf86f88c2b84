/** Graph error codes that mean "transient or throttled: retry later" (§4.7, §4.8). */
export const RETRYABLE_GRAPH_CODES: ReadonlySet<number> = new Set([1, 2, 4, 17, 32, 613]);

/** Socket-level error codes the client treats as transient. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The `error` object of a Graph error response. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
  [key: string]: unknown;
}

/** Where a failed request went (access tokens redacted). */
export interface GraphRequestInfo {
  method: string;
  url: string;
}

interface GraphApiErrorInit {
  status: number;
  error?: GraphErrorBody;
  body: unknown;
  request?: GraphRequestInfo;
  retryAfterMs?: number;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

function toText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const SECRET_PARAMS = ['access_token', 'appsecret_proof', 'client_secret'];

/** Replaces secret query parameters of a URL with "***" for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const name of SECRET_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, '***');
    return parsed.toString();
  } catch {
    return url;
  }
}

/** An error answered by the Graph API (non-2xx HTTP status). */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  /** HTTP status of the response. */
  readonly status: number;
  /** Graph error code (e.g. 100, 190, 4), when the body carried one. */
  readonly code: number | undefined;
  /** Graph error subcode (e.g. 463), when present. */
  readonly error_subcode: number | undefined;
  /** Graph error type (e.g. OAuthException), when present. */
  readonly type: string | undefined;
  /** Trace id to quote to the server operator, when present. */
  readonly fbtrace_id: string | undefined;
  /** Title meant for end users, when present. */
  readonly error_user_title: string | undefined;
  /** Message meant for end users, when present. */
  readonly error_user_msg: string | undefined;
  /** The response body: parsed JSON, or the raw text when it was not JSON. */
  readonly body: unknown;
  /** Method and (redacted) URL of the failed request. */
  readonly request: GraphRequestInfo | undefined;
  /** Delay the server asked for through Retry-After, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: GraphApiErrorInit) {
    super(message);
    const error = init.error ?? {};
    this.status = init.status;
    this.code = toNumber(error.code);
    this.error_subcode = toNumber(error.error_subcode);
    this.type = toText(error.type);
    this.fbtrace_id = toText(error.fbtrace_id);
    this.error_user_title = toText(error.error_user_title);
    this.error_user_msg = toText(error.error_user_msg);
    this.body = init.body;
    this.request = init.request;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** True for throttling/transient Graph codes, HTTP 429 and 5xx. */
  get retryable(): boolean {
    if (this.code !== undefined && RETRYABLE_GRAPH_CODES.has(this.code)) return true;
    return this.status === 429 || this.status >= 500;
  }

  /** Builds the error from an HTTP status and the response text (JSON Graph error or anything else). */
  static fromResponse(status: number, statusText: string, text: string, request?: GraphRequestInfo, retryAfterMs?: number): GraphApiError {
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = text;
    }
    const error = extractError(body);
    const init: GraphApiErrorInit = { status, body };
    if (error) init.error = error;
    if (request) init.request = request;
    if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
    let message: string;
    if (error && typeof error.message === 'string') {
      message = error.message;
    } else {
      const snippet = typeof body === 'string' ? body.trim().slice(0, 200) : '';
      message = `HTTP ${status}${statusText ? ` ${statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
    }
    return new GraphApiError(message, init);
  }
}

/** Extracts Graph's `{"error": {...}}` object from a parsed body, if it has one. */
export function extractError(body: unknown): GraphErrorBody | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const error = (body as { error?: unknown }).error;
  if (error === null || typeof error !== 'object' || Array.isArray(error)) return undefined;
  return error as GraphErrorBody;
}

/** A request that never got an HTTP answer (connection refused, reset, DNS failure...). */
export class GraphNetworkError extends Error {
  override readonly name = 'GraphNetworkError';
  /** Socket error code such as ECONNREFUSED, when known. */
  readonly code: string | undefined;
  /** Method and (redacted) URL of the failed request. */
  readonly request: GraphRequestInfo;

  constructor(request: GraphRequestInfo, cause: unknown) {
    const code = networkCode(cause);
    const detail = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    super(`${request.method} ${request.url}: ${detail}`, { cause });
    this.code = code;
    this.request = request;
  }

  /** True when the socket error is one the client retries. */
  get retryable(): boolean {
    return this.code !== undefined && RETRYABLE_NETWORK_CODES.has(this.code);
  }
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = networkCode(errors[0]);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the value is a GraphApiError (also across package copies). */
export function isGraphApiError(error: unknown): error is GraphApiError {
  return error instanceof GraphApiError || (error instanceof Error && error.name === 'GraphApiError' && 'status' in error);
}
