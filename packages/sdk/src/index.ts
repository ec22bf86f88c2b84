export { GraphClient, SDK_VERSION, MAX_BATCH_SIZE, appsecretProof, batchItemError, encodeForm, encodeParamValue, encodePath, fieldsParam } from './client.js';
export {
  GraphApiError,
  GraphNetworkError,
  RETRYABLE_GRAPH_CODES,
  RETRYABLE_NETWORK_CODES,
  extractError,
  isGraphApiError,
  redactUrl,
} from './errors.js';
export type { GraphErrorBody, GraphRequestInfo } from './errors.js';
export { PageIterable, toPage, walkPages } from './paging.js';
export type { FirstPageLoader, PageUrlLoader } from './paging.js';
export { signatureHeaders, verificationChallenge, verifySignature } from './webhooks.js';
export type { ChallengeQuery, HeaderSource, SignatureHeaders, VerifySignatureInput } from './webhooks.js';
export type * from './types.js';
