import nodemailer, { type Transporter } from 'nodemailer';
import type { Context } from '../context.js';
import { claimMail, dueMail, type MailRow, recordMailAttempt } from '../db/repositories/account.js';

/** Waits after the 1st, 2nd… failed attempt; after the last one the mail is marked failed (about two days in all). */
export const MAIL_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 24 * 3_600_000];
/** How long one attempt holds a mail before another process may take it. */
const LEASE_MS = 120_000;
const BATCH = 20;

/** Where mail is sent: the SMTP URL and the sender. */
export interface MailSettings {
  smtpUrl: string;
  from: string;
}

/** The sender when MAIL_FROM is unset: no-reply at the host of PUBLIC_URL. */
export function defaultSender(publicUrl: string | undefined): string {
  const host = publicUrl ? new URL(publicUrl).hostname : 'localhost';
  return `Commonplace <no-reply@${host}>`;
}

/** One line for the outbox listing: sent, waiting, retrying (with the last error) or failed. */
export function mailState(row: MailRow): 'sent' | 'waiting' | 'retrying' | 'failed' {
  if (row.sent_time) return 'sent';
  if (row.failed_time) return 'failed';
  return (row.attempts ?? 0) > 0 ? 'retrying' : 'waiting';
}

/**
 * Sends the mail outbox through SMTP (SMTP_URL: `smtp://` upgrades with STARTTLS when the server
 * offers it, `smtps://` is TLS from the start; credentials in the URL). Each mail is claimed
 * before it is sent, so several processes never send one twice; a failure is retried on the
 * schedule above, a permanent refusal (5xx) gives up at once, and what happened stays on the row.
 */
export class MailDelivery {
  private readonly transport: Transporter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: Context,
    private readonly settings: MailSettings,
    private readonly pollMs = 1000,
  ) {
    this.transport = nodemailer.createTransport(settings.smtpUrl);
  }

  start(): void {
    this.schedule(0);
  }

  /** Looks for due mail now (after an invitation was written). */
  nudge(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.sendDue()
        .then(() => undefined)
        .catch((error: unknown) => this.ctx.log.error({ err: error }, 'mail delivery failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Sends every mail that is due; returns how many were attempted. */
  async sendDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const now = this.ctx.clock.now();
      const rows = await dueMail(this.ctx.db, now, BATCH);
      if (rows.length === 0 || this.stopped) return attempted;
      for (const row of rows) {
        if (!(await claimMail(this.ctx.db, row.id, now, now + LEASE_MS))) continue;
        attempted++;
        await this.attempt(row);
      }
      if (rows.length < BATCH) return attempted;
    }
  }

  private async attempt(row: MailRow): Promise<void> {
    const attempts = (row.attempts ?? 0) + 1;
    try {
      await this.transport.sendMail({ from: this.settings.from, to: row.to_address, subject: row.subject, text: row.body, messageId: `<${row.id}.${row.kind}@commonplace>` });
      await recordMailAttempt(this.ctx.db, row.id, { attempts, sentTime: this.ctx.clock.now() });
    } catch (error) {
      const e = error as { message?: string; responseCode?: number };
      const message = String(e.message ?? error).slice(0, 500);
      const now = this.ctx.clock.now();
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      const delay = MAIL_RETRY_DELAYS_MS[attempts - 1];
      if (permanent || delay === undefined) {
        this.ctx.log.warn({ mailId: row.id, attempts, error: message }, 'mail delivery gave up');
        await recordMailAttempt(this.ctx.db, row.id, { attempts, failedTime: now, error: message });
      } else {
        this.ctx.log.warn({ mailId: row.id, attempts, error: message }, 'mail delivery failed; will retry');
        await recordMailAttempt(this.ctx.db, row.id, { attempts, retryAt: now + delay, error: message });
      }
    }
  }
}
