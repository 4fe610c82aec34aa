/**
 * The retry decisions, in one table (issue #13 "one retry-decision table beside http/retry.ts"):
 * what is retried, where, and why. `withRetry` (retry.ts) retries an error whose `retryable` flag is
 * set, with backoff, jitter and Retry-After. The classifiers below set that flag, and a few call
 * sites decide for themselves because re-sending could do harm or a smaller request would help.
 *
 * The table is data, not the mechanism. test/unit/core/http/retry-decisions.test.ts feeds a sample of
 * each classified case to the real classifier and fails when the code and this table disagree.
 */

/** What happens on the failure. */
export type RetryDecision =
  /** withRetry tries again after backoff with jitter (and at least the server's Retry-After). */
  | 'retry'
  /** Sign in again once, then resend; a second refusal right after stops the run. */
  | 'sign-in-again'
  /** Not repeated as is: ask for less (a smaller page, a narrower window). */
  | 'narrow'
  /** Not re-sent, because the server may already have acted on it: the caller restarts the step cleanly. */
  | 'restart-step'
  /** Stop, and say what to fix: retrying cannot help (credentials, permissions, a bad field). */
  | 'stop';

export interface RetryDecisionRow {
  id: string;
  service: 'intacct' | 'tableau' | 'network' | 'alerts';
  /** The failure, as the service shows it. */
  when: string;
  decision: RetryDecision;
  /** The code that decides. */
  where: string;
  why: string;
  /** Where the behaviour is documented or was seen (a reference note in docs/reference, or a public URL). */
  evidence: string;
}

export const RETRY_DECISIONS: readonly RetryDecisionRow[] = [
  // Transport: every HTTP call of both clients.
  {
    id: 'network-failure',
    service: 'network',
    when: 'connection refused or reset, DNS failure, timeout, truncated body',
    decision: 'retry',
    where: 'http/transport.ts sendRequest → NetworkError',
    why: 'no usable answer arrived; reads are safe to repeat, and writes say per call whether they may be re-sent (tableau-http.ts `resend`)',
    evidence: 'intacct-xml.md §2.3; tableau-rest.md §8',
  },
  // Sage Intacct: HTTP 200 with <errormessage> (intacct-errors.ts classifyIntacctError).
  {
    id: 'intacct-session-invalid',
    service: 'intacct',
    when: 'XL03000006 "Invalid session" (the ~50-minute session ended)',
    decision: 'sign-in-again',
    where: 'intacct/intacct-errors.ts → IntacctSessionExpiredError; the client renews the session and resends',
    why: 'the session expired; a new getAPISession fixes it',
    evidence: 'intacct-xml.md §3.2',
  },
  {
    id: 'intacct-too-many-operations',
    service: 'intacct',
    when: '"too many operations" (200024): other integrations of the company are running',
    decision: 'retry',
    where: 'intacct/intacct-errors.ts → IntacctRateLimitError, at least 30 s later',
    why: 'the busy slot frees within about 30 s',
    evidence: 'intacct-xml.md §6',
  },
  {
    id: 'intacct-server-error',
    service: 'intacct',
    when: 'DL02000001 / "There was an error processing the request"',
    decision: 'retry',
    where: 'intacct/intacct-errors.ts → IntacctError SERVER_ERROR (retryable)',
    why: 'a generic server-side failure that usually passes; the attempts are bounded',
    evidence: 'intacct-xml.md §2.4',
  },
  {
    id: 'intacct-audit-history-persistent',
    service: 'intacct',
    when: 'an AUDITHISTORY page that keeps answering "There was an error processing the request"',
    decision: 'narrow',
    where:
      'intacct/deleted-read.ts: after the client’s retries the window is cut in two and each half read on its own; a window of a minute or less that still fails is skipped with a warning that names it',
    why: 'retrying the same page as is keeps failing; a narrower window usually answers',
    evidence: 'intacct-xml.md §2.4',
  },
  {
    id: 'intacct-524',
    service: 'intacct',
    when: 'HTTP 524 from Cloudflare (HTML body) on a heavy GL detail page',
    decision: 'narrow',
    where: 'intacct/answer-checks.ts (not retryable as is) → intacct/keyset-read.ts asks for a smaller page, down to MIN_PAGE_SIZE',
    why: 'the query may still be running server-side: repeating it only adds load, a smaller page answers in time',
    evidence: 'intacct-xml.md §2.3, §6',
  },
  {
    id: 'intacct-sign-in-refused',
    service: 'intacct',
    when: 'an authentication-level failure (wrong user, password or company)',
    decision: 'stop',
    where: 'intacct/intacct-errors.ts → IntacctAuthError',
    why: 'a retry cannot fix credentials, and repeated failed sign-ins can lock the user out',
    evidence: 'intacct-xml.md §2.4',
  },
  {
    id: 'intacct-invalid-field',
    service: 'intacct',
    when: 'a query asks for a field the object lacks',
    decision: 'stop',
    where: 'intacct/intacct-errors.ts → IntacctError (not retryable); the next step links to the stream’s extra fields',
    why: 'the whole query fails until the field list changes',
    evidence: 'intacct-exchanges.md §6',
  },
  // Tableau REST (tableau-errors.ts errorFromResponse, tableau-http.ts).
  {
    id: 'tableau-session-expired',
    service: 'tableau',
    when: '401002 (or another 401) mid-session: the token expired or another sign-in with the same PAT replaced it',
    decision: 'sign-in-again',
    where: 'tableau/tableau-errors.ts → SessionExpiredError; tableau/tableau-http.ts signs in once and resends',
    why: 'a new session fixes it; a second 401 at once means another client keeps replacing it',
    evidence: 'tableau-rest.md §4',
  },
  {
    id: 'tableau-sign-in-refused',
    service: 'tableau',
    when: '401001 on sign-in (bad, expired or revoked token, wrong site)',
    decision: 'stop',
    where: 'tableau/tableau-errors.ts → AuthError',
    why: 'only new credentials help',
    evidence: 'tableau-rest.md §4, §8',
  },
  {
    id: 'tableau-throttled',
    service: 'tableau',
    when: 'HTTP 429 (often an HTML page on Tableau Cloud)',
    decision: 'retry',
    where: 'tableau/tableau-errors.ts → RateLimitError with Retry-After',
    why: 'throttling passes; the server says how long to wait',
    evidence: 'tableau-rest.md §8',
  },
  {
    id: 'tableau-5xx',
    service: 'tableau',
    when: 'HTTP 5xx or 408 (XML or a proxy’s HTML)',
    decision: 'retry',
    where: 'tableau/tableau-errors.ts → NetworkError, for calls that may be re-sent',
    why: 'a transient server or proxy failure',
    evidence: 'tableau-rest.md §8',
  },
  {
    id: 'tableau-api-refusal',
    service: 'tableau',
    when: 'a tsResponse 4xx error (bad request, forbidden, not found, conflict)',
    decision: 'stop',
    where: 'tableau/tableau-errors.ts → ApiError (not retryable)',
    why: 'Tableau understood the request and refused it',
    evidence: 'tableau-rest.md §8',
  },
  {
    id: 'tableau-non-idempotent-after-send',
    service: 'tableau',
    when: 'a 5xx, timeout or reset after an upload append, a publish without overwrite or a project create went out',
    decision: 'restart-step',
    where: 'tableau/tableau-http.ts `resend: if-not-processed` → RequestNotResentError; tableau-upload.ts starts a new upload session',
    why: 'Tableau may have acted on it; a blind re-send made duplicates',
    evidence: 'https://github.com/tableau/server-client-python/issues/1339',
  },
  {
    id: 'tableau-patch-resend',
    service: 'tableau',
    when: 'the update-data PATCH fails in transit',
    decision: 'retry',
    where: 'tableau/tableau-http.ts `resend: always`, the same RequestID on every attempt',
    why: 'Tableau applies a RequestID once, so a re-sent PATCH is a no-op',
    evidence: 'tableau-rest.md §2',
  },
  // Alerts.
  {
    id: 'alert-channel-down',
    service: 'alerts',
    when: 'the mail server or webhook is down, busy or answers 429/5xx',
    decision: 'retry',
    where: 'alerts/deliver-email.ts, alerts/deliver-webhook.ts → AlertDeliveryError (retryable)',
    why: 'the alert is worth a few attempts; a failure in the end is a warning, never a failed sync',
    evidence: 'https://api.slack.com/messaging/webhooks',
  },
  {
    id: 'alert-refused',
    service: 'alerts',
    when: 'the mail server refuses the sign-in or recipients, or the webhook address is invalid (4xx)',
    decision: 'stop',
    where: 'alerts/deliver-email.ts, alerts/deliver-webhook.ts → AlertDeliveryError (not retryable)',
    why: 'only a settings change helps: the message says which',
    evidence: 'https://api.slack.com/messaging/webhooks',
  },
];
