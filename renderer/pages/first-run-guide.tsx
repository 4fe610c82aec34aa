/**
 * The guided first setup (issue #14, "First run"): Sage Intacct (tested) → Tableau (tested) →
 * tables (with the full-load estimate) → the first sync. It reuses the Settings sections, so the
 * fields, their checks and the connection tests are the very ones Settings has. Nothing is saved
 * before both connections have passed their test, so no schedule can run on half a setup
 * (the service also skips scheduled runs until both sides are set up: main/core/service/connector-service.ts).
 */
import { useCallback, useEffect, useState } from 'react';
import type { FieldErrors, SecretName, Settings } from '../../shared/types';
import { secretNames } from '../../shared/types';
import { useApi } from '../api/api-context';
import { ApiCallError, errorMessage } from '../api/api-error';
import { IntacctSection } from '../settings/intacct-section';
import type { SectionProps } from '../settings/section-props';
import { StreamsSection } from '../settings/streams-section';
import { TableauSection } from '../settings/tableau-section';
import { normalizeSettings } from './settings-page';

const steps = ['Sage Intacct', 'Tableau', 'Tables', 'First sync'] as const;
type Step = 0 | 1 | 2 | 3;

/** The demo's own Intacct sign-in, cleared so "Connect your own Sage Intacct" starts from empty fields. */
function withoutIntacctSignIn(s: Settings): Settings {
  return { ...s, intacct: { ...s.intacct, senderId: '', companyId: '', userId: '', entityId: '' } };
}

interface FirstRunGuideProps {
  /** Started from the demo: the Intacct sign-in fields start empty. */
  fromDemo: boolean;
  /** The first sync started (or the user closed the guide). */
  onClose: () => void;
}

/** The guide: one step at a time, with the step list above it. */
export function FirstRunGuide({ fromDemo, onClose }: FirstRunGuideProps) {
  const api = useApi();
  const [step, setStep] = useState<Step>(0);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [secrets, setSecrets] = useState<Partial<Record<SecretName, string>>>({});
  const [credentialStatus, setCredentialStatus] = useState<Record<SecretName, boolean> | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [tested, setTested] = useState({ intacct: false, tableau: false });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.getSettings(), api.getCredentialStatus()]).then(
      ([settings, creds]) => {
        if (!live) return;
        setDraft(fromDemo ? withoutIntacctSignIn(settings) : settings);
        setCredentialStatus(creds);
      },
      (err: unknown) => live && setProblem(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api, fromDemo]);

  // Any change after a test means the test no longer speaks for the values: test again.
  const edit = useCallback(
    (change: (d: Settings) => void) => {
      setDraft((d) => {
        if (!d) return d;
        const next = structuredClone(d);
        change(next);
        return next;
      });
      const side = step === 0 ? 'intacct' : step === 1 ? 'tableau' : null;
      if (side) setTested((t) => ({ ...t, [side]: false }));
    },
    [step],
  );
  const setSecret = useCallback((name: SecretName, value: string) => {
    setSecrets((s) => ({ ...s, [name]: value }));
    setTested((t) => (name.startsWith('intacct') ? { ...t, intacct: false } : name.startsWith('tableau') ? { ...t, tableau: false } : t));
  }, []);

  const typedSecrets = () => Object.fromEntries(secretNames.filter((n) => secrets[n]).map((n) => [n, secrets[n]!]));
  const draftForTest = () => ({ draft: normalizeSettings(draft!), secrets: typedSecrets() });

  /** Saves the draft, then the typed secrets; true when all was stored. */
  const save = async (): Promise<boolean> => {
    setProblem(null);
    let result;
    try {
      result = await api.saveSettings(normalizeSettings(draft!));
    } catch (err) {
      if (!(err instanceof ApiCallError && err.fields)) throw err;
      result = { ok: false as const, errors: err.fields };
    }
    if (!result.ok) {
      setErrors(result.errors);
      setProblem(Object.values(result.errors).join(' '));
      return false;
    }
    for (const [name, value] of Object.entries(typedSecrets()) as [SecretName, string][]) await api.setCredential({ name, value });
    setErrors({});
    setSecrets({});
    setDraft(result.settings);
    setCredentialStatus(await api.getCredentialStatus());
    return true;
  };

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    try {
      await what();
    } catch (err) {
      setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const toTables = () => act(async () => void ((await save()) && setStep(2)));
  const startFirstSync = () =>
    act(async () => {
      if (!(await save())) return;
      setStep(3);
      const r = await api.syncNow();
      if (!r.started) {
        setProblem(r.reason ?? 'The first sync did not start.');
        return;
      }
      onClose();
    });

  const props: SectionProps | null = draft ? { settings: draft, edit, errors, secrets, setSecret, credentialStatus } : null;
  return (
    <section className="card first-run-guide" aria-labelledby="guide-heading" data-testid="first-run-guide">
      <h2 id="guide-heading">Set up ml-connector</h2>
      <p className="section-intro">Four steps: each connection is tested before the next one, and nothing runs on a schedule until both work.</p>
      <ol className="guide-steps">
        {steps.map((name, i) => (
          <li key={name} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : i === step ? 'current' : ''}>
            {name}
          </li>
        ))}
      </ol>
      {!props ? (
        <p className="muted">Loading…</p>
      ) : step === 0 ? (
        <IntacctSection {...props} draftForTest={draftForTest} onTested={(ok) => setTested((t) => ({ ...t, intacct: ok }))} />
      ) : step === 1 ? (
        <TableauSection {...props} draftForTest={draftForTest} onTested={(ok) => setTested((t) => ({ ...t, tableau: ok }))} />
      ) : (
        <StreamsSection {...props} />
      )}
      {problem ? (
        <p className="inline-error" role="alert" data-testid="guide-problem">
          {problem}
        </p>
      ) : null}
      <div className="guide-actions">
        {step > 0 && step < 3 ? (
          <button type="button" className="btn" disabled={busy} onClick={() => setStep((step - 1) as Step)}>
            Back
          </button>
        ) : null}
        {step === 0 ? (
          <button type="button" className="btn btn-primary" disabled={!tested.intacct} onClick={() => setStep(1)} data-testid="guide-next">
            Next: Tableau
          </button>
        ) : step === 1 ? (
          <button type="button" className="btn btn-primary" disabled={!tested.tableau || busy} onClick={toTables} data-testid="guide-next">
            {busy ? 'Saving…' : 'Save and choose tables'}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={startFirstSync} data-testid="guide-next">
            {busy ? 'Starting…' : 'Start the first sync'}
          </button>
        )}
        <span className="hint">
          {step === 0 && !tested.intacct
            ? 'Test the Intacct connection to go on.'
            : step === 1 && !tested.tableau
              ? 'Test the Tableau connection to go on.'
              : ''}
        </span>
        <button type="button" className="btn-link guide-skip" onClick={onClose}>
          Close the guide (set up in Settings instead)
        </button>
      </div>
    </section>
  );
}
