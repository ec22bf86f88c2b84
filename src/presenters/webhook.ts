import type { AttemptRow, DeliveryRow, SubscriptionRow } from '../db/repositories/webhook.js';
import { FLAG_AFTER_FAILURES } from '../webhooks/schedule.js';

/** The Graph API version reported next to each subscribed field. */
export const GRAPH_VERSION = 'v19.0';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A subscription as GET /app/subscriptions lists it (Graph's shape). */
export function presentGraphSubscription(sub: SubscriptionRow) {
  return {
    object: sub.topic,
    callback_url: sub.callback_url,
    active: sub.active === 1,
    fields: (JSON.parse(sub.fields) as string[]).map((name) => ({ name, version: GRAPH_VERSION })),
  };
}

/** A subscription with its health, as admins see it (admin API, CLI). Never the verify token. */
export function presentSubscription(sub: SubscriptionRow, counts?: Record<string, number>) {
  const failing = sub.failing_since !== null;
  return {
    id: sub.id,
    app_id: sub.app_id,
    object: sub.topic,
    fields: JSON.parse(sub.fields) as string[],
    callback_url: sub.callback_url,
    active: sub.active === 1,
    status: failing ? 'failing' : sub.consecutive_failures > 0 ? 'degraded' : 'healthy',
    /** Why it is flagged, in words: the last error and for how long it has been failing. */
    status_reason: failing
      ? `${sub.consecutive_failures} failed attempts in a row since ${iso(sub.failing_since)}; last error: ${sub.last_error}`
      : sub.consecutive_failures > 0
        ? `${sub.consecutive_failures} failed attempt(s) in a row (flagged at ${FLAG_AFTER_FAILURES}); last error: ${sub.last_error}`
        : null,
    consecutive_failures: sub.consecutive_failures,
    failing_since: iso(sub.failing_since),
    last_error: sub.last_error,
    last_failure_time: iso(sub.last_failure_time),
    last_success_time: iso(sub.last_success_time),
    verified_time: iso(sub.verified_time),
    created_time: iso(sub.created_time),
    updated_time: iso(sub.updated_time),
    ...(counts ? { deliveries: counts } : {}),
  };
}

/** One attempt of the delivery log. */
export function presentAttempt(a: AttemptRow) {
  return {
    attempt: a.attempt,
    time: iso(a.time),
    url: a.url,
    request: { headers: JSON.parse(a.request_headers) as Record<string, string>, body: a.request_body },
    response_status: a.response_status,
    response_body: a.response_body,
    error: a.error,
    latency_ms: a.latency_ms,
    outcome: a.outcome,
    next_retry_time: iso(a.next_retry_time),
    worker: a.worker,
  };
}

/** A delivery in the log: its state, next retry and, when given, every attempt. */
export function presentDelivery(d: DeliveryRow, attempts?: AttemptRow[]) {
  return {
    id: d.id,
    event_id: d.event_id,
    subscription_id: d.subscription_id,
    object: d.topic,
    field: d.field,
    ordering_key: d.ordering_key,
    state: d.state,
    attempts: d.attempts,
    next_retry_time: d.state === 'pending' ? iso(d.next_attempt_time) : null,
    first_attempt_time: iso(d.first_attempt_time),
    last_attempt_time: iso(d.last_attempt_time),
    delivered_time: iso(d.delivered_time),
    last_status: d.last_status,
    last_error: d.last_error,
    redelivery_of: d.redelivery_of,
    created_time: iso(d.created_time),
    ...(attempts ? { attempt_log: attempts.filter((a) => a.delivery_id === d.id).map(presentAttempt) } : {}),
  };
}
