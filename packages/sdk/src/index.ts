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
export { createWebhookListener, signatureHeaders, verificationChallenge, verifySignature, webhookEvents } from './webhooks.js';
export type { ChallengeQuery, HeaderSource, MessagingItem, SignatureHeaders, VerifySignatureInput, WebhookEvent, WebhookListenerOptions, WebhookPayload } from './webhooks.js';
export { sendMessage, sendText, senderAction, setMessengerProfile, subscribeWebhook } from './chat.js';
export type { Button, OutgoingAttachment, OutgoingMessage, QuickReply, Recipient, SendResult, SenderAction } from './chat.js';
export type * from './types.js';
export { SCIM_URN, ScimApiError, ScimClient, ScimFilter, ScimNetworkError, ScimPatchBuilder, schemasOf, scimFilter, scimPatch, scimPatches } from './scim.js';
export type {
  ScimAddress,
  ScimBulkOperation,
  ScimBulkResult,
  ScimClientOptions,
  ScimEnterpriseUser,
  ScimGroup,
  ScimListOptions,
  ScimListResponse,
  ScimMeta,
  ScimMultiValue,
  ScimName,
  ScimPatchOperation,
  ScimPatchRequest,
  ScimRetryInfo,
  ScimUser,
} from './scim.js';
export { createBot, fileCursorStore, memoryCursorStore, memoryDedupeStore } from './bot.js';
export type { Bot, BotActor, BotOptions, CatchUpResult, ChatTurn, CursorStore, DedupeStore, EventSource, GroupComment, GroupPost, Mention, PostTurn, TemplatePayload, TurnBase } from './bot.js';
