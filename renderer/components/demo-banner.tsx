/**
 * The demo's banner (issue #14, "First run"): says that this is the sample company, offers to put
 * the demo back as it started ("Reset demo", the service's resetDemo) and to connect one's own
 * Sage Intacct, which opens the guided setup.
 */
import { useState } from 'react';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';

/** The banner, with its two actions. */
export function DemoBanner({ onConnectOwn }: { onConnectOwn: () => void }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const reset = async () => {
    if (!window.confirm('Reset the demo? Its settings and sign-in go back to how the demo started, and every table is loaded again from the sample company.'))
      return;
    setBusy(true);
    setNote(null);
    try {
      const r = await api.resetDemo();
      setNote(
        r.started ? { kind: 'ok', text: 'The demo was reset; its tables are loading again.' } : { kind: 'error', text: r.reason ?? 'The demo was not reset.' },
      );
    } catch (err) {
      setNote({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="banner banner-info" role="note" data-testid="demo-banner">
      <div className="banner-body">
        <p className="banner-title">This is the demo: a sample company synced to a Tableau stand-in on this computer</p>
        <p>Nothing here reaches a real Sage Intacct or Tableau.</p>
        <p className="banner-actions">
          <button type="button" className="btn" onClick={reset} disabled={busy} data-testid="reset-demo">
            {busy ? 'Resetting…' : 'Reset demo'}
          </button>{' '}
          <button type="button" className="btn btn-primary" onClick={onConnectOwn} data-testid="connect-own">
            Connect your own Sage Intacct
          </button>
        </p>
        {note ? (
          <p className={note.kind === 'error' ? 'inline-error' : 'inline-note'} role={note.kind === 'error' ? 'alert' : 'status'}>
            {note.text}
          </p>
        ) : null}
      </div>
    </div>
  );
}
