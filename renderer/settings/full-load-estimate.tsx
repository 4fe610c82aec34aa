/**
 * "Estimate a full load" (Settings › Streams): counts the enabled streams' records in Intacct and
 * shows what a full load (first sync, or "reload in full") would cost in API transactions, next to
 * what this month has used. The service estimates from the SAVED settings, so unsaved changes that
 * would change the answer are pointed out next to the button.
 */
import { useEffect, useState } from 'react';
import type { FullLoadEstimate, SecretName, Settings } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { formatCount } from '../../shared/format';
import { streamNames } from '../streams';
import { useDebounced } from '../use-debounced';

type Estimate = { state: 'idle' } | { state: 'running' } | { state: 'done'; estimate: FullLoadEstimate } | { state: 'failed'; message: string };

/** The secrets the Intacct sign-in uses (a replacement typed but not saved changes the answer). */
const intacctSecrets: readonly SecretName[] = ['intacctSenderPassword', 'intacctUserPassword'];

/** True when the settings an estimate reads (Intacct sign-in and book, enabled streams, GL detail start) differ. */
function estimateInputsDiffer(a: Settings, b: Settings): boolean {
  if (streamNames.some((n) => a.streams.enabled[n] !== b.streams.enabled[n])) return true;
  if (a.streams.glDetailStartDate !== b.streams.glDetailStartDate) return true;
  const keys = new Set([...Object.keys(a.intacct), ...Object.keys(b.intacct)]) as Set<keyof Settings['intacct']>;
  return [...keys].some((k) => a.intacct[k] !== b.intacct[k]);
}

/**
 * Whether the draft differs from the saved settings in what an estimate reads. The saved copy is
 * read again once the draft has been still for a moment (a Save replaces the draft, so it re-checks too).
 */
function useUnsavedEstimateInputs(settings: Settings, secrets: Partial<Record<SecretName, string>>): boolean {
  const api = useApi();
  const draft = useDebounced(settings, 400);
  const [differs, setDiffers] = useState(false);
  useEffect(() => {
    let live = true;
    api.getSettings().then(
      (saved) => live && setDiffers(estimateInputsDiffer(saved, draft)),
      () => live && setDiffers(false), // the page shows load errors; say nothing here
    );
    return () => {
      live = false;
    };
  }, [api, draft]);
  return differs || intacctSecrets.some((n) => (secrets[n] ?? '') !== '');
}

interface FullLoadEstimateProps {
  settings: Settings;
  secrets: Partial<Record<SecretName, string>>;
}

/** The button, then the per-stream table and the sentence under it. */
export function FullLoadEstimatePanel({ settings, secrets }: FullLoadEstimateProps) {
  const api = useApi();
  const [estimate, setEstimate] = useState<Estimate>({ state: 'idle' });
  const unsaved = useUnsavedEstimateInputs(settings, secrets);

  const run = async () => {
    setEstimate({ state: 'running' });
    try {
      setEstimate({ state: 'done', estimate: await api.estimateFullLoad() });
    } catch (err) {
      setEstimate({ state: 'failed', message: errorMessage(err) });
    }
  };

  const running = estimate.state === 'running';
  return (
    <div className="full-load-estimate" data-testid="full-load-estimate">
      <div className="estimate-actions">
        <button type="button" className="btn" onClick={() => void run()} disabled={running} aria-describedby="estimate-help">
          {running ? (
            <>
              <span className="spinner" aria-hidden="true" /> Counting records in Intacct…
            </>
          ) : (
            'Estimate a full load'
          )}
        </button>
        {unsaved ? (
          <span className="inline-note small" data-testid="estimate-unsaved">
            Save first to include your changes
          </span>
        ) : null}
      </div>
      <p className="hint" id="estimate-help">
        Counts the enabled streams' records in Intacct (about one API transaction per stream) to show what a first sync or a reload in full would use.
      </p>
      <div className="estimate-result" aria-live="polite" aria-busy={running}>
        {estimate.state === 'failed' ? (
          <p className="inline-error" role="alert">
            {estimate.message}
          </p>
        ) : estimate.state === 'done' ? (
          <EstimateResult estimate={estimate.estimate} />
        ) : null}
      </div>
    </div>
  );
}

/** The table (stream, records, API transactions, total) and the sentence under it. */
function EstimateResult({ estimate }: { estimate: FullLoadEstimate }) {
  const { streams, apiTransactions, countingTransactions, usedThisMonth, monthlyAllowance } = estimate;
  const month = `This month so far: ${formatCount(usedThisMonth)} of ${formatCount(monthlyAllowance)} included.`;
  if (streams.length === 0) {
    return (
      <p className="estimate-summary" data-testid="estimate-summary">
        No stream is enabled in the saved settings, so a full load reads nothing. {month}
      </p>
    );
  }
  const rows = streams.reduce((n, s) => n + s.rows, 0);
  const pastAllowance = usedThisMonth + apiTransactions > monthlyAllowance;
  return (
    <>
      <div className="table-wrap">
        <table className="compact estimate-table" data-testid="estimate-table">
          <caption>Full load from Intacct, by stream</caption>
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col" className="num">
                Records
              </th>
              <th scope="col" className="num">
                API transactions
              </th>
            </tr>
          </thead>
          <tbody>
            {streams.map((s) => (
              <tr key={s.stream} data-stream={s.stream}>
                <th scope="row">{s.label}</th>
                <td className="num" data-col="rows">
                  {formatCount(s.rows)}
                </td>
                <td className="num" data-col="transactions">
                  {formatCount(s.apiTransactions)}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-stream="total">
              <th scope="row">Total</th>
              <td className="num" data-col="rows">
                {formatCount(rows)}
              </td>
              <td className="num" data-col="transactions">
                {formatCount(apiTransactions)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="estimate-summary" data-testid="estimate-summary">
        A full load of these streams uses about {formatCount(apiTransactions)} API transactions (this count used {formatCount(countingTransactions)}). {month}
      </p>
      {pastAllowance ? (
        <p className="estimate-warning">
          <span aria-hidden="true">⚠ </span>
          That would go past the {formatCount(monthlyAllowance)} included this month: more is billed by Sage.
        </p>
      ) : null}
    </>
  );
}
