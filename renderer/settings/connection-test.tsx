/**
 * "Test connection" for one side: runs the service's test and lists each step with ✓ or ✗.
 */
import { useState } from 'react';
import type { RequestOf } from '../../shared/ipc-contract';
import type { ConnectionTestResult } from '../../shared/types';

/** What the test sends besides the side: the draft shown in the form and the typed secrets, unsaved. */
export type TestDraft = Omit<RequestOf<'testConnection'>, 'side'>;
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';

interface ConnectionTestProps {
  side: 'intacct' | 'tableau';
  /** The values in the form now: they are tested as they are, and nothing is saved. */
  draftForTest: () => TestDraft;
  /** Told whether each test passed (the first-run guide moves on only after one did). */
  onResult?: (ok: boolean) => void;
}

/** The button and the step list. */
export function ConnectionTest({ side, draftForTest, onResult }: ConnectionTestProps) {
  const api = useApi();
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const name = side === 'intacct' ? 'Intacct' : 'Tableau';

  const run = async () => {
    setRunning(true);
    setResult(null);
    setFailure(null);
    try {
      const r = await api.testConnection({ side, ...draftForTest() });
      setResult(r);
      onResult?.(r.ok);
    } catch (err) {
      setFailure(errorMessage(err));
      onResult?.(false);
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="connection-test" data-testid={`test-${side}`}>
      <button type="button" className="btn" onClick={run} disabled={running}>
        {running ? (
          <>
            <span className="spinner" aria-hidden="true" /> Testing {name}…
          </>
        ) : (
          `Test ${name} connection`
        )}
      </button>
      <p className="hint">Tests the values shown above as they are; nothing is saved until you click Save.</p>
      <div aria-live="polite">
        {result ? (
          <>
            <p className={result.ok ? 'test-summary ok' : 'test-summary failed'}>{result.ok ? `${name} connection works.` : `${name} connection failed.`}</p>
            <ol className="test-steps">
              {result.steps.map((step) => (
                <li key={step.name} className={step.ok ? 'ok' : 'failed'} data-ok={step.ok}>
                  <span className="step-icon" aria-hidden="true">
                    {step.ok ? '✓' : '✗'}
                  </span>
                  <span className="step-name">
                    <span className="sr-only">{step.ok ? 'Passed: ' : 'Failed: '}</span>
                    {step.name}
                  </span>
                  {step.message ? <span className="step-message">{step.message}</span> : null}
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
