/**
 * Why an alert could not be delivered on one channel, typed like every other failure (errors.ts):
 * `retryable` says whether trying again may help (a mail server or webhook that is down or busy),
 * `userMessage` names the channel and what to fix. Never holds a password or the webhook address.
 */
import { ConnectorError } from '../errors';
import type { AlertChannel } from '../../../shared/types';

export class AlertDeliveryError extends ConnectorError {
  constructor(
    readonly channel: AlertChannel,
    init: { code: string; userMessage: string; retryable: boolean; status?: number; retryAfterMs?: number; kind?: 'config' | 'transient' },
  ) {
    super({
      service: 'local',
      kind: init.kind ?? (init.retryable ? 'transient' : 'config'),
      retryable: init.retryable,
      code: init.code,
      userMessage: init.userMessage,
      ...(init.status !== undefined ? { status: init.status } : {}),
      ...(init.retryAfterMs !== undefined ? { retryAfterMs: init.retryAfterMs } : {}),
    });
  }
}

/** How often a channel is tried: 3 attempts, 2 s then 4 s (jittered), a server's Retry-After up to a minute. */
export const ALERT_RETRY_POLICY = { maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 } as const;
