/**
 * The retry-decision table (main/core/http/retry-decisions.ts) says what the code does: each
 * classified case is fed to the real classifier, and the error it gives must carry the decision the
 * table states. Cases decided at a call site (narrowing, restarting an upload) are covered by those
 * call sites' own tests, named here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError, SessionExpiredError } from '../../../../main/core/errors';
import { RETRY_DECISIONS, type RetryDecision } from '../../../../main/core/http/retry-decisions';
import { sendRequest } from '../../../../main/core/http/transport';
import { classifyIntacctError } from '../../../../main/core/intacct';
import { checkAnswer } from '../../../../main/core/intacct/answer-checks';
import { errorFromResponse } from '../../../../main/core/tableau/tableau-errors';
import { AlertDeliveryError } from '../../../../main/core/alerts/delivery-error';

const intacct = (level: 'authentication' | 'result', errorno: string, description2: string) =>
  classifyIntacctError({ level, errors: [{ errorno, description: '', description2, correction: '' }] });
const tsError = (code: string, summary: string) =>
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><tsResponse xmlns="http://tableau.com/api"><error code="${code}"><summary>${summary}</summary><detail>d</detail></error></tsResponse>`,
  );
const tableau = (status: number, body: Buffer, opts: { isSignIn?: boolean } = {}) =>
  errorFromResponse({ status, headers: new Headers(status === 429 ? { 'retry-after': '5' } : {}), body, operation: 'test', now: 0, ...opts });
const thrown = async (f: () => unknown): Promise<unknown> => {
  try {
    await f();
  } catch (err) {
    return err;
  }
  assert.fail('expected a failure');
};

/** A sample of each classified case, giving the error the code produces for it. */
const SAMPLES: Record<string, () => Promise<unknown> | unknown> = {
  'network-failure': () =>
    thrown(() =>
      sendRequest(
        async () => {
          throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
        },
        { service: 'tableau', method: 'GET', url: 'https://tableau.example.com/api', timeoutMs: 1000 },
      ),
    ),
  'intacct-session-invalid': () => intacct('authentication', 'XL03000006', 'Invalid session'),
  'intacct-too-many-operations': () => intacct('result', 'XL03000003', 'There are too many operations running for this company (200024)'),
  'intacct-server-error': () => intacct('result', 'DL02000001', 'There was an error processing the request.'),
  'intacct-524': () => thrown(() => checkAnswer(524, '<html>timeout</html>', '<html>timeout</html>', undefined, 0)),
  'intacct-sign-in-refused': () => intacct('authentication', 'XL03000006', 'Sign-in information is incorrect'),
  // The text and code third-party code records (intacct-xml.md §2.4).
  'intacct-invalid-field': () => intacct('result', 'XL03000006', 'The following fields cannot be queried: [GLDETAIL: [JOURNAL] ]'),
  'tableau-session-expired': () => tableau(401, tsError('401002', 'Unauthorized Access')),
  'tableau-sign-in-refused': () => tableau(401, tsError('401001', 'Signin Error'), { isSignIn: true }),
  'tableau-throttled': () => tableau(429, Buffer.from('<html>Too Many Requests</html>')),
  'tableau-5xx': () => tableau(503, Buffer.from('<html>Service Unavailable</html>')),
  'tableau-api-refusal': () => tableau(403, tsError('403004', 'Forbidden')),
  'alert-channel-down': () => new AlertDeliveryError('webhook', { code: 'WEBHOOK_HTTP_503', userMessage: 'down', retryable: true }),
  'alert-refused': () => new AlertDeliveryError('webhook', { code: 'WEBHOOK_URL_INVALID', userMessage: 'bad', retryable: false }),
};

/** Decided at a call site, each with the test that shows it. */
const AT_CALL_SITE: Record<string, string> = {
  'intacct-audit-history-persistent': 'test/unit/core/intacct (deleted-read: narrowed, then skipped with a warning)',
  'tableau-non-idempotent-after-send': 'test/unit/core/tableau (uploads: not re-sent, restarted with a new session)',
  'tableau-patch-resend': 'test/unit/core/tableau (the PATCH keeps its RequestID on every retry)',
};

/** What the error must look like for each decision. */
function assertDecision(id: string, decision: RetryDecision, err: unknown): void {
  assert.ok(err instanceof ConnectorError, `${id}: a typed error, got ${String(err)}`);
  if (decision === 'sign-in-again') assert.ok(err instanceof SessionExpiredError, `${id}: a SessionExpiredError`);
  else if (decision === 'retry') assert.equal(err.retryable && !(err instanceof SessionExpiredError), true, `${id}: retryable`);
  else if (decision === 'stop') assert.equal(err.retryable, false, `${id}: not retryable`);
  else if (decision === 'narrow') assert.equal(err.retryable, false, `${id}: not repeated as is (the caller narrows)`);
  else assert.fail(`${id}: ${decision} is decided at a call site`);
}

describe('the retry-decision table', () => {
  it('each classified case gets the decision the table states from the real classifier', async () => {
    for (const row of RETRY_DECISIONS) {
      const sample = SAMPLES[row.id];
      if (!sample) continue;
      assertDecision(row.id, row.decision, await sample());
    }
  });

  it('covers every row: classified by a sample here, or decided at a call site with its own test', () => {
    const ids = RETRY_DECISIONS.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    assert.deepEqual(
      ids.filter((id) => !SAMPLES[id] && !AT_CALL_SITE[id]),
      [],
    );
    assert.deepEqual(
      [...Object.keys(SAMPLES), ...Object.keys(AT_CALL_SITE)].filter((id) => !ids.includes(id)),
      [],
      'no sample for a row the table lacks',
    );
  });

  it('would notice a wrong row', () => {
    assert.throws(() => assertDecision('x', 'stop', intacct('result', 'DL02000001', 'There was an error processing the request.')));
    assert.throws(() => assertDecision('x', 'retry', intacct('authentication', 'XL03000006', 'Invalid session')));
  });
});
