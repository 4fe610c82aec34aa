/**
 * "Reload in full…" for one table (Settings › Streams, issue #14): first counts that table's
 * records in Intacct and says what a full reload costs (estimateFullLoad for that one stream),
 * then, once confirmed, asks the service to reload it in full at the next sync
 * (requestFullReload; the request is kept until a run has done it: main/core/service/reload-requests.ts).
 */
import { useState } from 'react';
import type { FullLoadEstimate, StreamName } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { formatCount } from '../../shared/format';
import { streamLabels } from '../streams';

type Step =
  { state: 'idle' } | { state: 'estimating' } | { state: 'confirm'; estimate: FullLoadEstimate } | { state: 'asking' } | { state: 'failed'; message: string };

/** The button, the estimate with its confirmation, and the "will reload" note. */
export function ReloadInFull({ stream, pending, onAsked }: { stream: StreamName; pending: boolean; onAsked: (pending: StreamName[]) => void }) {
  const api = useApi();
  const [step, setStep] = useState<Step>({ state: 'idle' });
  const label = streamLabels[stream];

  const estimate = async () => {
    setStep({ state: 'estimating' });
    try {
      setStep({ state: 'confirm', estimate: await api.estimateFullLoad({ streams: [stream] }) });
    } catch (err) {
      setStep({ state: 'failed', message: `The records of ${label} could not be counted, so nothing was asked: ${errorMessage(err)}` });
    }
  };
  const confirm = async () => {
    setStep({ state: 'asking' });
    try {
      onAsked((await api.requestFullReload({ stream })).pending);
      setStep({ state: 'idle' });
    } catch (err) {
      setStep({ state: 'failed', message: errorMessage(err) });
    }
  };

  const row = step.state === 'confirm' ? step.estimate.streams.find((s) => s.stream === stream) : undefined;
  return (
    <div className="reload-in-full" data-testid={`reload-${stream}`}>
      {pending ? (
        <p className="inline-note small" role="status" data-testid={`reload-pending-${stream}`}>
          {label} reloads in full at the next sync.
        </p>
      ) : step.state === 'confirm' ? (
        <div className="reload-confirm" role="group" aria-label={`Reload ${label} in full`}>
          <p data-testid={`reload-estimate-${stream}`}>
            A full reload of {label} reads {formatCount(row?.rows ?? 0)} records from Sage Intacct (about{' '}
            {formatCount(row?.apiTransactions ?? step.estimate.apiTransactions)} API transactions; this month so far {formatCount(step.estimate.usedThisMonth)}{' '}
            of {formatCount(step.estimate.monthlyAllowance)} included) and replaces the Tableau data source's rows at the next sync.
          </p>
          <button type="button" className="btn btn-small btn-primary" onClick={() => void confirm()} data-testid={`reload-confirm-${stream}`}>
            Reload {label} in full at the next sync
          </button>{' '}
          <button type="button" className="btn btn-small" onClick={() => setStep({ state: 'idle' })}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn-small" onClick={() => void estimate()} disabled={step.state === 'estimating' || step.state === 'asking'}>
          {step.state === 'estimating' ? `Counting ${label}…` : step.state === 'asking' ? 'Asking…' : 'Reload in full…'}
          <span className="sr-only"> {label}</span>
        </button>
      )}
      {step.state === 'failed' ? (
        <p className="inline-error small" role="alert">
          {step.message}
        </p>
      ) : null}
    </div>
  );
}
