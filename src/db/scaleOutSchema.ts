// Row types of the tables several server processes share (migration 0008). Same conventions as
// schema.ts: epoch-millisecond times.

/** A request budget (rate limit) window: points spent until expire_time. */
export interface RateBudgetTable {
  key: string;
  points: number;
  expire_time: number;
}

/** A write request made with an Idempotency-Key, and the response it got (kept 24 hours). */
export interface IdempotencyKeyTable {
  /** Whose key it is (a hash of the credentials), so two integrations never share keys. */
  scope: string;
  key: string;
  /** SHA-256 of method, path and body: the same key with another request is refused. */
  request_hash: string;
  /** null while the first request is still running. */
  status: number | null;
  content_type: string | null;
  /** JSON object of the response headers that are replayed. */
  headers: string | null;
  body: string | null;
  created_time: number;
}

/** When a job that runs once across all processes is next due, and who runs it. */
export interface ScheduledJobTable {
  name: string;
  next_run_time: number;
  owner: string | null;
}

/** An uploaded file kept in the database (COMMONPLACE_MEDIA_URL=database). */
export interface MediaBlobTable {
  key: string;
  mime_type: string | null;
  size: number;
  data: Buffer;
  created_time: number;
}

/** A key that signs media links: sealed with the server key; retired keys verify until their links expire. */
export interface MediaKeyTable {
  id: string;
  key_sealed: string;
  created_time: number;
  retired_time: number | null;
}

export interface ScaleOutTables {
  rate_budget: RateBudgetTable;
  idempotency_key: IdempotencyKeyTable;
  scheduled_job: ScheduledJobTable;
  media_blob: MediaBlobTable;
  media_key: MediaKeyTable;
}
