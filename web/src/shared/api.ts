/** An error answer of the JSON APIs ({"error":{"code","message"}}). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

/** Remembers the CSRF token the session answer gave; every change sends it back. */
export function setCsrf(token: string | undefined): void {
  csrfToken = token ?? '';
}

/** The CSRF token to send with a change made outside `call` (an upload with progress). */
export function csrf(): string {
  return csrfToken;
}

export interface CallOptions {
  /** Sent as JSON unless it is FormData. */
  body?: unknown;
  signal?: AbortSignal;
}

export async function call<T>(method: string, url: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(url, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  const text = await response.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string | number; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, String(error?.code ?? response.status), error?.message ?? `${response.status} ${response.statusText}`);
  }
  return data as T;
}

export const get = <T>(url: string, signal?: AbortSignal) => call<T>('GET', url, { signal });
export const post = <T>(url: string, body?: unknown) => call<T>('POST', url, { body: body ?? {} });
export const patch = <T>(url: string, body: unknown) => call<T>('PATCH', url, { body });
export const del = <T>(url: string, body?: unknown) => call<T>('DELETE', url, body === undefined ? {} : { body });

/**
 * Sends a body like `call` — JSON, or a multipart form as it is — reporting upload progress (0–1)
 * as the body goes out (fetch cannot).
 */
export function sendWithProgress<T>(method: string, url: string, body: unknown, onProgress: (fraction: number) => void): Promise<T> {
  const form = body instanceof FormData;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader('accept', 'application/json');
    if (!form) xhr.setRequestHeader('content-type', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload failed: the server could not be reached'));
    xhr.onload = () => {
      let data: { error?: { code?: string | number; message?: string } } | undefined;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else reject(new ApiError(xhr.status, String(data?.error?.code ?? xhr.status), data?.error?.message ?? `${xhr.status} ${xhr.statusText}`));
    };
    xhr.send(form ? body : JSON.stringify(body));
  });
}

/** Reads a picked file as a `data:` URL (pictures travel base64 in JSON). */
export function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
export const put = <T>(url: string, body: unknown) => call<T>('PUT', url, { body });
