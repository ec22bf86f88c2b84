import pino, { type Logger } from 'pino';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /([?&](?:access_token|appsecret_proof|input_token|password|token|client_secret|code)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[REDACTED]');
}

/** The process logger: JSON lines, with tokens, secrets, cookies and passwords redacted. */
export function createLogger(level: string): Logger {
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
  });
}
