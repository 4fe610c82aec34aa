/**
 * Sign-in details Intacct refused, so that the schedule does not keep trying them.
 *
 * Repeated failed sign-ins risk locking the user out (an inference in the reference), whose advice is never to
 * retry bad credentials automatically (intacct-xml.md, "Implications for the connector", Session
 * manager). One client never retries them within a run; this guard carries that across runs: after
 * a refusal, scheduled runs with the very same details fail at once without contacting Intacct. A
 * person may still try (Sync now, Test connection, Find fields): they may have fixed the user in
 * Intacct meanwhile. Any change of the details (a new password, another user…) or one successful
 * sign-in lifts it.
 *
 * Only a keyed hash of the details is kept, in memory, under a key that dies with the process.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IntacctCredentials } from '../intacct';

/** Error codes of the Intacct client that mean "these sign-in details are wrong". */
const REFUSAL_CODES = new Set(['LOGIN_INVALID', 'SENDER_INVALID', 'AUTH_FAILED', 'GATEWAY_REJECTED']);

/** What is remembered of a refusal. */
export interface Refusal {
  at: number;
  /** Intacct's refusal, in the client's words. */
  message: string;
}

export interface RefusalGuard {
  /** Records the outcome of an attempt that signed in with these details (error null = it worked). */
  note(credentials: IntacctCredentials, endpoint: string, error: { service: string; code?: string; message: string } | null): void;
  /** The refusal of exactly these details, if they were refused and not changed or accepted since. */
  refusalOf(credentials: IntacctCredentials, endpoint: string): Refusal | null;
}

export function createRefusalGuard(now: () => number): RefusalGuard {
  const key = randomBytes(32);
  let refused: (Refusal & { fingerprint: string }) | null = null;
  const fingerprint = (c: IntacctCredentials, endpoint: string) =>
    createHmac('sha256', key)
      .update(JSON.stringify([endpoint, c.senderId, c.senderPassword, c.companyId, c.userId, c.userPassword, c.entityId ?? '']))
      .digest('hex');
  return {
    note(credentials, endpoint, error) {
      const fp = fingerprint(credentials, endpoint);
      if (error && error.service === 'intacct' && error.code && REFUSAL_CODES.has(error.code)) {
        refused = { fingerprint: fp, at: now(), message: error.message };
      } else if (!error && refused?.fingerprint === fp) {
        refused = null;
      }
    },
    refusalOf(credentials, endpoint) {
      if (!refused || refused.fingerprint !== fingerprint(credentials, endpoint)) return null;
      return { at: refused.at, message: refused.message };
    },
  };
}
