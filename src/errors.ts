import { randomBytes } from 'node:crypto';

// The one error catalogue (DESIGN.md §4.6): each kind has a stable name, an HTTP status, the
// Graph code it maps to, and a default message. Surfaces format an AppError their own way;
// docs/errors.md lists the same kinds and a test keeps the two in step.
export const errorCatalogue = {
  missing_token: { status: 400, code: 190, type: 'OAuthException', message: 'An access token is required to request this resource.' },
  invalid_token: { status: 400, code: 190, type: 'OAuthException', subcode: 467, message: 'Invalid OAuth access token - Cannot parse access token' },
  integration_disabled: { status: 400, code: 190, type: 'OAuthException', subcode: 458, message: 'The custom integration that owns this token is disabled. A system administrator can enable it again.' },
  appsecret_proof_missing: { status: 400, code: 100, type: 'GraphMethodException', message: 'API calls from the server require an appsecret_proof argument' },
  appsecret_proof_invalid: { status: 400, code: 100, type: 'GraphMethodException', message: 'Invalid appsecret_proof provided in the API argument' },
  permission_denied: { status: 403, code: 200, type: 'OAuthException', message: '(#200) Permissions error' },
  action_not_allowed: { status: 403, code: 10, type: 'OAuthException', message: '(#10) Application does not have permission for this action' },
  unknown_object: { status: 400, code: 100, type: 'GraphMethodException', subcode: 33, message: 'Unsupported request.' },
  unknown_path: { status: 400, code: 2500, type: 'OAuthException', message: 'Unknown path components' },
  invalid_parameter: { status: 400, code: 100, type: 'OAuthException', message: '(#100) Invalid parameter' },
  unknown_alias: { status: 400, code: 803, type: 'OAuthException', message: '(#803) Some of the aliases you requested do not exist' },
  duplicate_post: { status: 400, code: 506, type: 'OAuthException', message: '(#506) Duplicate status message' },
  conflict: { status: 409, code: 100, type: 'OAuthException', message: '(#100) The change conflicts with existing data' },
  rate_limited: { status: 429, code: 4, type: 'OAuthException', message: '(#4) Application request limit reached' },
  payload_too_large: { status: 413, code: 100, type: 'OAuthException', message: '(#100) The request body is too large' },
  not_authenticated: { status: 401, code: 190, type: 'OAuthException', message: 'Sign in first.' },
  csrf_failed: { status: 403, code: 10, type: 'OAuthException', message: 'The CSRF token is missing or wrong.' },
  invalid_filter: { status: 400, code: 100, type: 'OAuthException', message: '(#100) The filter is not valid' },
  invalid_syntax: { status: 400, code: 100, type: 'OAuthException', message: '(#100) The request body is not valid' },
  invalid_path: { status: 400, code: 100, type: 'OAuthException', message: '(#100) The attribute path is not valid' },
  no_target: { status: 400, code: 100, type: 'OAuthException', message: '(#100) The path selects nothing' },
  mutability: { status: 400, code: 100, type: 'OAuthException', message: '(#100) The attribute is read-only' },
  precondition_failed: { status: 412, code: 100, type: 'OAuthException', message: '(#100) The resource does not match the precondition' },
  idempotency_key_reused: { status: 422, code: 100, type: 'OAuthException', message: '(#100) This Idempotency-Key was already used with a different request; use a new key for a new request' },
  idempotency_key_in_progress: { status: 409, code: 100, type: 'OAuthException', message: '(#100) A request with this Idempotency-Key is still running; retry after it finishes' },
  deactivation_limit: { status: 409, code: 368, type: 'OAuthException', message: '(#368) The integration reached its hourly deactivation limit' },
  public_url_required: { status: 409, code: 100, type: 'OAuthException', message: '(#100) Invitations need PUBLIC_URL: set it to the address people open Commonplace at (for example https://work.example.com) and restart the server' },
  request_too_costly: { status: 400, code: 1, type: 'OAuthException', message: "Please reduce the amount of data you're asking for, then retry your request" },
  media_fetch_failed: { status: 400, code: 100, type: 'OAuthException', subcode: 2018008, message: '(#100) Failed to fetch the file from the url' },
  invalid_image: { status: 400, code: 324, type: 'OAuthException', message: '(#324) Missing or invalid image file' },
  unresolved_reference: { status: 409, code: 100, type: 'OAuthException', message: '(#100) A bulkId reference cannot be resolved' },
  internal: { status: 500, code: 1, type: 'OAuthException', message: 'An unknown error has occurred.' },
} as const;

export type ErrorKind = keyof typeof errorCatalogue;

/** An error with a catalogue kind; the message may be more specific than the default. */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;
  constructor(kind: ErrorKind, message?: string, details?: Record<string, unknown>) {
    super(message ?? errorCatalogue[kind].message);
    this.kind = kind;
    this.details = details;
  }
  get status(): number {
    return errorCatalogue[this.kind].status;
  }
}

export const invalidParameter = (message: string) => new AppError('invalid_parameter', `(#100) ${message}`);

export function unknownObject(id: string, method = 'get'): AppError {
  return new AppError(
    'unknown_object',
    `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
  );
}

export function missingPermission(permission: string): AppError {
  return new AppError('permission_denied', `(#200) This action requires the ${permission} permission, which the integration does not have.`);
}

export function newTraceId(): string {
  return randomBytes(8).toString('base64url');
}

/** Graph's error object: {"error":{"message","type","code","error_subcode","fbtrace_id"}}. */
export function formatGraphError(error: AppError, traceId: string) {
  const entry = errorCatalogue[error.kind];
  const body: Record<string, unknown> = { message: error.message, type: entry.type, code: entry.code };
  if ('subcode' in entry) body.error_subcode = entry.subcode;
  body.fbtrace_id = traceId;
  return { error: body };
}

/** The admin API's error object: {"error":{"code","message"}}. */
export function formatAdminError(error: AppError, traceId: string) {
  return { error: { code: error.kind, message: error.message, trace_id: traceId } };
}

/** SCIM's HTTP status for each kind where it differs from the catalogue (RFC 7644 §3.12). */
const scimStatus: Partial<Record<ErrorKind, number>> = {
  missing_token: 401,
  invalid_token: 401,
  integration_disabled: 401,
  appsecret_proof_missing: 401,
  appsecret_proof_invalid: 401,
  not_authenticated: 401,
  permission_denied: 403,
  action_not_allowed: 403,
  csrf_failed: 403,
  unknown_object: 404,
  unknown_path: 404,
  unknown_alias: 404,
};

const scimTypes: Partial<Record<ErrorKind, string>> = {
  invalid_filter: 'invalidFilter',
  invalid_syntax: 'invalidSyntax',
  invalid_path: 'invalidPath',
  no_target: 'noTarget',
  mutability: 'mutability',
  invalid_parameter: 'invalidValue',
  media_fetch_failed: 'invalidValue',
  invalid_image: 'invalidValue',
  duplicate_post: 'invalidValue',
  conflict: 'uniqueness',
};

/**
 * SCIM's Error: RFC 7644 `{"schemas":[…Error],"status":"409","scimType","detail"}` for 2.0, and
 * for 1.x the SCIM 1.1 `Errors` list plus the Graph-style `error` object v1-era scripts read.
 */
export function formatScimError(error: AppError, flavour: '2.0' | '1.1', traceId: string): { status: number; body: Record<string, unknown> } {
  const status = scimStatus[error.kind] ?? error.status;
  const detail = error.message.replace(/^\(#\d+\) /, '');
  if (flavour === '1.1') {
    const entry = errorCatalogue[error.kind];
    return { status, body: { Errors: [{ description: detail, code: String(status) }], error: { message: detail, type: entry.type, code: entry.code, fbtrace_id: traceId } } };
  }
  const body: Record<string, unknown> = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status) };
  const scimType = scimTypes[error.kind];
  if (scimType) body.scimType = scimType;
  body.detail = error.kind === 'internal' ? `${detail} (trace id ${traceId})` : detail;
  return { status, body };
}

/** Turns anything thrown into an AppError; unknown failures become `internal`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (e?.statusCode === 413 || e?.code === 'FST_REQ_FILE_TOO_LARGE') return new AppError('payload_too_large');
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('invalid_parameter', `(#100) ${e.message ?? 'Malformed request'}`);
  }
  // Body parsers (busboy for multipart) throw plain errors on truncated or malformed input.
  if (typeof e?.message === 'string' && /^(Unexpected end of|Malformed part header|Multipart: )/.test(e.message)) {
    return new AppError('invalid_parameter', `(#100) Malformed multipart body: ${e.message}`);
  }
  return new AppError('internal');
}
