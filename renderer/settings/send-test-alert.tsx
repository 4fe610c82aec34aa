/**
 * "Send test alert": sends one alert by email and to the Teams/Slack webhook with the values shown
 * in the form (typed secrets included, nothing saved) and lists how each channel went.
 */
import { useState } from 'react';
import type { RequestOf } from '../../shared/ipc-contract';
import type { AlertDeliveryResult } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';

const CHANNEL_LABELS: Record<AlertDeliveryResult['channel'], string> = { email: 'Email', webhook: 'Teams/Slack webhook' };

/** The button and one line per channel. */
export function SendTestAlert({ draftForTest }: { draftForTest: () => Exclude<RequestOf<'sendTestAlert'>, void> }) {
  const api = useApi();
  const [running, setRunning] = useState(false);
  const [results, setResults] = useState<AlertDeliveryResult[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const run = async () => {
    setRunning(true);
    setResults(null);
    setFailure(null);
    try {
      setResults((await api.sendTestAlert(draftForTest())).results);
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setRunning(false);
    }
  };

  const used = results?.filter((r) => r.configured) ?? [];
  return (
    <div className="connection-test" data-testid="send-test-alert">
      <button type="button" className="btn" onClick={run} disabled={running}>
        {running ? (
          <>
            <span className="spinner" aria-hidden="true" /> Sending test alert…
          </>
        ) : (
          'Send test alert'
        )}
      </button>
      <p className="hint">Sends a test alert with the values shown above; nothing is saved until you click Save.</p>
      <div aria-live="polite">
        {results ? (
          <>
            <p className={used.length && used.every((r) => r.ok) ? 'test-summary ok' : 'test-summary failed'}>
              {!used.length
                ? 'No email or webhook is set up: alerts show as desktop notifications only.'
                : used.every((r) => r.ok)
                  ? 'The test alert was sent.'
                  : 'The test alert did not reach every channel.'}
            </p>
            <ol className="test-steps">
              {results.map((r) => (
                <li key={r.channel} className={r.ok ? 'ok' : r.configured ? 'failed' : 'off'} data-channel={r.channel} data-ok={r.ok}>
                  <span className="step-icon" aria-hidden="true">
                    {r.ok ? '✓' : r.configured ? '✗' : '–'}
                  </span>
                  <span className="step-name">
                    <span className="sr-only">{r.ok ? 'Sent: ' : r.configured ? 'Failed: ' : 'Off: '}</span>
                    {CHANNEL_LABELS[r.channel]}
                  </span>
                  <span className="step-message">{r.message}</span>
                </li>
              ))}
            </ol>
          </>
        ) : null}
        {failure ? (
          <p className="inline-error" role="alert">
            {failure}
          </p>
        ) : null}
      </div>
    </div>
  );
}
