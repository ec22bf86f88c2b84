// The retry schedule: exponential back-off from 10 s, doubling up to 6 h, each delay jittered by
// ±20 % so receivers coming back are not hit by every lane at once. Retries go on until 36 hours
// after the delivery's window start (the event, or the redelivery); the last attempt is made at
// that mark, and a failure then dead-letters the delivery.

export const RETRY_WINDOW_MS = 36 * 3_600_000;
/** Failed attempts in a row after which a subscription is flagged as failing. */
export const FLAG_AFTER_FAILURES = 3;
export const FIRST_RETRY_MS = 10_000;
export const MAX_RETRY_DELAY_MS = 6 * 3_600_000;
const JITTER = 0.2;

/** The delay after the `failures`-th failed attempt (1 = the first), before jitter. */
export function nominalDelay(failures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), MAX_RETRY_DELAY_MS);
}

/** The jittered delay after the `failures`-th failed attempt. */
export function retryDelay(failures: number, random: () => number = Math.random): number {
  return Math.round(nominalDelay(failures) * (1 - JITTER + 2 * JITTER * random()));
}

/** After a failed attempt: when to try again, or dead when the window is over. */
export function afterFailure(now: number, windowStart: number, failures: number, random: () => number = Math.random): { next: number } | { dead: true } {
  const end = windowStart + RETRY_WINDOW_MS;
  if (now >= end) return { dead: true };
  return { next: Math.min(now + retryDelay(failures, random), end) };
}

/** The nominal schedule (offsets from the first attempt), for docs and the admin view. */
export function nominalSchedule(): number[] {
  const out: number[] = [0];
  let t = 0;
  for (let failures = 1; t < RETRY_WINDOW_MS; failures++) {
    t = Math.min(t + nominalDelay(failures), RETRY_WINDOW_MS);
    out.push(t);
  }
  return out;
}
