import { createHmac } from 'node:crypto';

/** What identifies one attempt on the wire, besides the signatures. */
export interface AttemptIdentity {
  deliveryId: string;
  eventId: string;
  attempt: number;
  /** Unix seconds when the attempt is made. */
  timestamp: number;
  redeliveryOf?: string | null;
}

export const USER_AGENT = 'Commonplace-Webhooks/1.0';

/**
 * The headers of a webhook POST. `X-Hub-Signature` (sha1) and `X-Hub-Signature-256` (sha256) are
 * HMACs of the exact body bytes with the app secret, as Workplace sent them. During a secret
 * rotation's overlap window each header carries one signature per secret, newest first,
 * comma-separated. `X-Commonplace-Delivery` stays the same on every attempt of a delivery, so a
 * receiver recognises duplicates; `X-Commonplace-Timestamp` is the attempt's time.
 */
export function deliveryHeaders(secrets: readonly string[], body: Buffer, id: AttemptIdentity): Record<string, string> {
  const sign = (algorithm: 'sha1' | 'sha256') => secrets.map((s) => `${algorithm}=${createHmac(algorithm, s).update(body).digest('hex')}`).join(',');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-hub-signature': sign('sha1'),
    'x-hub-signature-256': sign('sha256'),
    'x-commonplace-delivery': id.deliveryId,
    'x-commonplace-event': id.eventId,
    'x-commonplace-attempt': String(id.attempt),
    'x-commonplace-timestamp': String(id.timestamp),
  };
  if (id.redeliveryOf) headers['x-commonplace-redelivery-of'] = id.redeliveryOf;
  return headers;
}
