import pino, { type Logger } from 'pino';

/** Parameter names whose values never reach a log line (compared after decoding, without brackets). */
const SECRET_PARAMS = new Set([
  'access_token',
  'appsecret_proof',
  'input_token',
  'password',
  'token',
  'client_secret',
  'app_secret',
  'secret',
  'code',
  'verify_token',
  'hub.verify_token',
  'fb_exchange_token',
  'refresh_token',
]);

const REDACTED = '[REDACTED]';

/** Percent-decodes twice at most (a name encoded twice still reads as itself); bad escapes stay as they are. */
function decoded(text: string): string {
  let out = text.replace(/\+/g, ' ');
  for (let i = 0; i < 2; i++) {
    try {
      const next = decodeURIComponent(out);
      if (next === out) break;
      out = next;
    } catch {
      break;
    }
  }
  return out;
}

const isSecretName = (name: string) => SECRET_PARAMS.has(decoded(name).trim().toLowerCase().replace(/\[.*$/, ''));

/** `name=value` pairs separated by & or ; with the values of secret names replaced. */
function redactPairs(text: string): string {
  return text.replace(/([^&;=]*)=([^&;]*)/g, (pair, name: string) => (isSecretName(name) ? `${name}=${REDACTED}` : pair));
}

/**
 * A URL as it may be logged: every credential-bearing parameter redacted, however it is
 * spelled (`access%5Ftoken`, `access_token[]`, `;access_token=` path parameters), and an app
 * token `{app id}|{secret}` in the path cut to its app id.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const bare = hash < 0 ? url : url.slice(0, hash);
  const q = bare.indexOf('?');
  const path = q < 0 ? bare : bare.slice(0, q);
  const segments = path.split('/').map((segment) => {
    const semicolon = segment.indexOf(';');
    const head = semicolon < 0 ? segment : segment.slice(0, semicolon);
    const params = semicolon < 0 ? '' : `;${redactPairs(segment.slice(semicolon + 1))}`;
    const text = decoded(head);
    const bar = text.indexOf('|');
    return (bar >= 0 ? `${encodeURIComponent(text.slice(0, bar))}|${REDACTED}` : head) + params;
  });
  return segments.join('/') + (q < 0 ? '' : `?${redactPairs(bare.slice(q + 1))}`);
}

/** The process logger: JSON lines, with tokens, secrets, cookies and passwords redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.access_token',
        '*.app_secret',
        '*.password',
        '*.token',
        '*.secret',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, url: req.url ? redactUrl(req.url) : req.url, id: req.id }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  }, destination as pino.DestinationStream);
}
