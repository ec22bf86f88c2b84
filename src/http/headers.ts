const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `Content-Disposition: attachment` for any file name (RFC 6266): a Latin-1-safe `filename`
 * fallback for old clients and the exact name as UTF-8 in `filename*` (RFC 8187, ex-5987).
 */
export function attachmentDisposition(name: string): string {
  name = name.replace(LONE_SURROGATE, '\uFFFD');
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
