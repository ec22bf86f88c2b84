import { randomBytes } from 'node:crypto';
import type { Context } from '../context.js';
import { findMessagesByIds } from '../db/repositories/chat.js';
import { findCommunity } from '../db/repositories/community.js';
import { loadThread } from '../domain/commands/chat.js';
import { claimLinkPreviews, finishLinkPreview, type LinkPreviewRow } from '../db/repositories/linkPreview.js';
import { findSubscriptionsOfTopic } from '../db/repositories/webhook.js';
import { mayUnfurl } from '../domain/linkPreviews.js';
import { allowed } from '../policies/graph.js';
import { AllowList } from '../webhooks/egress.js';
import { envelopeBytes } from '../webhooks/envelope.js';
import { MAX_READ_BYTES, WebhookHttp } from '../webhooks/http.js';
import { allowedHostsOf, loadReceivers, signingSecrets } from '../webhooks/receivers.js';
import { deliveryHeaders } from '../webhooks/signer.js';
import type { AppActor } from '../domain/actor.js';
import { previewImage, sweepPreviewImages } from './images.js';
import { failed, type PreviewOutcome, readPreviewAnswer } from './response.js';

const POLL_MS = 1_000;
/** Requests in flight at once per process. */
const CONCURRENCY = 16;
/** A preview whose asker died this many times is failed rather than asked again. */
const MAX_ATTEMPTS = 3;
/** How often unused preview images are swept. */
const SWEEP_MS = 60_000;

/**
 * Asks integrations for link previews in the background. Pending previews live in the database:
 * one survives a restart (its lease runs out and an asker takes it again), and with several
 * processes on one PostgreSQL each is asked by one of them at a time. Each request is one signed
 * `link`/`preview` webhook, through the egress guard, bounded by COMMONPLACE_LINK_PREVIEW_TIMEOUT_MS;
 * its outcome — the preview, a refusal or why it failed — is kept on the row.
 */
export class LinkUnfurler {
  private readonly owner = `unfurl-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly http: WebhookHttp;
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private lastSweep = 0;

  constructor(private readonly ctx: Context) {
    this.http = new WebhookHttp(ctx.config.linkPreviewTimeoutMs, new AllowList(ctx.config.webhookAllowedHosts));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await Promise.allSettled([...this.inFlight]);
    await this.http.close();
  }

  /** Previews may have been requested: look now instead of at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  /** Long enough for the request and then the fetch of its image and icon (in parallel, bounded by the media fetch timeout). */
  private leaseMs(): number {
    return this.ctx.config.linkPreviewTimeoutMs * 2 + this.ctx.config.webhookTimeoutMs + 5_000;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let claimed: LinkPreviewRow[] = [];
      const room = CONCURRENCY - this.inFlight.size;
      if (room > 0) {
        try {
          claimed = await claimLinkPreviews(this.ctx.db, this.ctx.dialect, this.owner, this.ctx.clock.now(), this.leaseMs(), room);
        } catch (error) {
          this.ctx.log.error({ err: error }, 'link unfurler could not claim previews');
        }
        for (const preview of claimed) {
          const task: Promise<void> = this.ask(preview)
            .catch((error) => this.ctx.log.error({ err: error, preview: preview.id }, 'link preview failed'))
            .finally(() => {
              this.inFlight.delete(task);
              this.wake?.();
            });
          this.inFlight.add(task);
        }
      }
      if (this.stopped) break;
      await this.sweep();
      if (claimed.length === room && room > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async sweep(): Promise<void> {
    if (this.ctx.clock.now() - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = this.ctx.clock.now();
    try {
      await sweepPreviewImages(this.ctx, this.leaseMs());
    } catch (error) {
      this.ctx.log.error({ err: error }, 'link unfurler could not sweep unused preview images');
    }
  }

  private async finish(preview: LinkPreviewRow, outcome: PreviewOutcome, call?: { status: number | null; latencyMs: number }, app?: AppActor): Promise<void> {
    // A ready preview's image and icon are fetched once here and served from the media store.
    const [image, icon] = outcome.state === 'ready' && app ? await Promise.all([previewImage(this.ctx, app, outcome.image_url), previewImage(this.ctx, app, outcome.icon_url)]) : [null, null];
    const finished = await finishLinkPreview(this.ctx.db, preview.id, this.owner, {
      ...outcome,
      image_media_id: image,
      icon_media_id: icon,
      status_code: call?.status ?? null,
      latency_ms: call?.latencyMs ?? null,
      completed_time: this.ctx.clock.now(),
    });
    // Open conversations redraw the message with its preview (posts are re-read by the app).
    if (finished && outcome.state === 'ready' && preview.object_type === 'message') await this.announceMessage(preview.object_id);
  }

  private async announceMessage(messageId: string): Promise<void> {
    const [message] = await findMessagesByIds(this.ctx.db, [messageId]);
    const state = message && (await loadThread(this.ctx.db, message.thread_id));
    if (!state) return;
    const members = state.participants.filter((p) => p.profile_type === 'member' && p.left_time === null).map((p) => p.profile_id);
    if (members.length) await this.ctx.bus.publish(this.ctx.db, { t: 'thread', thread: state.thread.id, updated: this.ctx.clock.now(), last: messageId, members });
  }

  private async ask(preview: LinkPreviewRow): Promise<void> {
    const fail = (error: string) => this.finish(preview, failed(error));
    if (preview.attempts > MAX_ATTEMPTS) return fail(`asking was interrupted ${MAX_ATTEMPTS} times (server restarts)`);
    const [receivers, subscriptions, community] = await Promise.all([
      loadReceivers(this.ctx.db, [preview.app_id]),
      findSubscriptionsOfTopic(this.ctx.db, [preview.app_id], 'link'),
      findCommunity(this.ctx.db),
    ]);
    const receiver = receivers.get(preview.app_id);
    const subscription = subscriptions.get(preview.app_id);
    // The rules are checked again at sending time: an integration disabled, unsubscribed,
    // stripped of its permission or rescoped in between is not asked.
    if (!receiver || receiver.app.enabled !== 1) return fail('the integration is disabled or deleted');
    if (!allowed(receiver.actor, 'link.preview')) return fail('the integration no longer holds link_unfurling');
    if (!mayUnfurl(receiver.actor, preview.group_id)) return fail('the place the link was shared in is no longer in the integration\'s group scope');
    if (!subscription || subscription.active !== 1 || !(JSON.parse(subscription.fields) as string[]).includes('preview')) return fail('the integration has no link/preview subscription');
    const now = this.ctx.clock.now();
    const body = envelopeBytes({
      topic: 'link',
      field: 'preview',
      entry_id: community?.id ?? '',
      payload: JSON.stringify({ community: { id: community?.id ?? '' }, user: { id: preview.requester_id }, link: preview.url }),
      created_time: now,
    });
    const headers = deliveryHeaders(signingSecrets(this.ctx, receiver, now), body, {
      deliveryId: preview.id,
      eventId: preview.id,
      attempt: preview.attempts,
      timestamp: Math.floor(now / 1000),
    });
    const allow = this.http.allowFor(allowedHostsOf(receiver));
    const outcome = await this.http.send('POST', subscription.callback_url, allow, headers, body, MAX_READ_BYTES);
    if (outcome.error) return this.finish(preview, failed(outcome.error), outcome);
    if (outcome.status !== null && outcome.status >= 300 && outcome.status < 400) {
      return this.finish(preview, failed(`the receiver answered HTTP ${outcome.status}; redirects are not followed`), outcome);
    }
    await this.finish(preview, readPreviewAnswer(outcome.status, outcome.body, preview.url), outcome, receiver.actor);
  }
}
