/**
 * Settings: edits a draft of the service's settings, saves it (field-level errors come back from
 * saveSettings as dotted paths) and then stores any replacement secrets in the keychain.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useRoute } from '../route';
import type { FieldErrors, SecretName, Settings } from '../../shared/types';
import { secretNames } from '../../shared/types';
import { useApi } from '../api/api-context';
import { ApiCallError, errorMessage } from '../api/api-error';
import { fieldIdOf } from '../components/fields';
import { AlertsSection } from '../settings/alerts-section';
import { IntacctSection } from '../settings/intacct-section';
import { ModelsSection } from '../settings/models-section';
import { ScheduleSection } from '../settings/schedule-section';
import type { SectionProps } from '../settings/section-props';
import { StreamsSection } from '../settings/streams-section';
import { TableauSection } from '../settings/tableau-section';
import { namedMessage } from '../settings/field-checks';

/** The draft as the service should receive it (list fields trimmed). */
export function normalizeSettings(s: Settings): Settings {
  // Extra field names are trimmed but never dropped: save errors point at a row by its index.
  const extraFields = Object.fromEntries(
    Object.entries(s.streams.extraFields).map(([stream, fields]) => [stream, fields?.map((f) => ({ ...f, field: f.field.trim() }))]),
  ) as Settings['streams']['extraFields'];
  return {
    ...s,
    tableau: { ...s.tableau, dependentDatasources: s.tableau.dependentDatasources.map((x) => x.trim()).filter(Boolean) },
    streams: { ...s.streams, extraFields },
  };
}

const origin = (url: string): string => {
  try {
    return url.trim() ? new URL(url).origin : '';
  } catch {
    return url.trim();
  }
};

const mailServer = (s: Settings) => (s.alerts.email.host ? `${s.alerts.email.host.toLowerCase()}:${s.alerts.email.port}` : '');

/**
 * Sides whose address changed while secrets entered for the old one are stored and not replaced:
 * the service removes those secrets unless the user confirms they may go to the new address.
 */
export function endpointChangesNeedingConfirmation(
  saved: Settings,
  draft: Settings,
  stored: Record<SecretName, boolean> | null,
  typed: Partial<Record<SecretName, string>>,
): string[] {
  const sides: { label: string; changed: boolean; names: SecretName[] }[] = [
    {
      label: 'Sage Intacct endpoint',
      changed: origin(saved.intacct.endpoint) !== origin(draft.intacct.endpoint),
      names: ['intacctSenderPassword', 'intacctUserPassword'],
    },
    {
      label: 'Tableau server address',
      changed: origin(saved.tableau.serverUrl) !== origin(draft.tableau.serverUrl),
      names: ['tableauPatSecret', 'tableauConnectedAppSecret'],
    },
    { label: 'alert mail server', changed: mailServer(saved) !== mailServer(draft), names: ['smtpPassword'] },
  ];
  return sides.filter((s) => s.changed && s.names.some((n) => stored?.[n] && !typed[n])).map((s) => s.label);
}

/**
 * Unsaved changes kept while the page is not shown (issue #14 point 7: a tab switch must not throw
 * them away). Memory only, like the form itself: typed secrets are never written anywhere.
 * `base` is the saved settings the draft was made from: the draft comes back only if they are
 * unchanged, so a draft never overwrites settings saved elsewhere in the meantime.
 */
let keptDraft: { base: string; draft: Settings; secrets: Partial<Record<SecretName, string>> } | null = null;
/** Whether the Settings page on screen has unsaved changes. */
let shownDirty = false;

/** Unsaved settings, on screen or kept from a tab switch: app.tsx asks before the page unloads. */
export function hasUnsavedSettings(): boolean {
  return shownDirty || keptDraft !== null;
}

/** The Settings page. */
export function SettingsPage() {
  const api = useApi();
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [secrets, setSecrets] = useState<Partial<Record<SecretName, string>>>({});
  const [credentialStatus, setCredentialStatus] = useState<Record<SecretName, boolean> | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [keepSecrets, setKeepSecrets] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.getSettings(), api.getCredentialStatus()]).then(
      ([settings, creds]) => {
        if (!live) return;
        setSaved(settings);
        const kept = keptDraft;
        keptDraft = null;
        if (kept && kept.base === JSON.stringify(normalizeSettings(settings))) {
          setDraft(kept.draft);
          setSecrets(kept.secrets);
          setMessage({ kind: 'ok', text: 'Your unsaved changes were kept: save or discard them.' });
        } else {
          setDraft(settings);
          if (kept) setMessage({ kind: 'error', text: 'The settings were changed elsewhere, so your earlier unsaved changes were not restored.' });
        }
        setCredentialStatus(creds);
      },
      (err: unknown) => live && setLoadError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  // `#/settings?field=<name>` (a banner's next step) opens Settings at that field: an extra-fields
  // path opens the stream's panel; anything else is scrolled to and focused.
  const route = useRoute();
  const focusField = route.page === 'settings' ? route.params.get('field') : null;
  const loaded = draft != null;
  useEffect(() => {
    if (!loaded || !focusField) return;
    const extra = /^streams\.extraFields\.([a-z_]+)$/.exec(focusField);
    const target = extra
      ? document.querySelector<HTMLElement>(`[data-testid="extra-fields-toggle-${extra[1]}"]`)
      : document.querySelector<HTMLElement>(`[name="${CSS.escape(focusField)}"]`);
    if (!target) return;
    if (extra && target.getAttribute('aria-expanded') !== 'true') target.click();
    target.scrollIntoView({ block: 'center' });
    target.focus();
  }, [loaded, focusField]);

  const edit = useCallback((change: (d: Settings) => void) => {
    setDraft((d) => {
      if (!d) return d;
      const next = structuredClone(d);
      change(next);
      return next;
    });
    setMessage(null);
  }, []);
  const setSecret = useCallback((name: SecretName, value: string) => {
    setSecrets((s) => ({ ...s, [name]: value }));
    setMessage(null);
  }, []);

  const pendingSecrets = secretNames.filter((n) => (secrets[n] ?? '') !== '');
  const dirty =
    draft != null && saved != null && (JSON.stringify(normalizeSettings(draft)) !== JSON.stringify(normalizeSettings(saved)) || pendingSecrets.length > 0);

  useEffect(() => {
    shownDirty = dirty;
    return () => void (shownDirty = false);
  }, [dirty]);
  // Keep the unsaved changes when the page goes away (a tab switch).
  const latest = useRef({ dirty, saved, draft, secrets });
  latest.current = { dirty, saved, draft, secrets };
  useEffect(
    () => () => {
      const l = latest.current;
      keptDraft = l.dirty && l.saved && l.draft ? { base: JSON.stringify(normalizeSettings(l.saved)), draft: l.draft, secrets: l.secrets } : null;
    },
    [],
  );

  /** Saves the draft and then the typed secrets; true when everything was stored. */
  const save = useCallback(async (): Promise<boolean> => {
    if (!draft) return false;
    setSaving(true);
    setMessage(null);
    try {
      let result;
      try {
        result = await api.saveSettings({ ...normalizeSettings(draft), ...(keepSecrets ? { confirmEndpointChange: true } : {}) });
      } catch (err) {
        if (err instanceof ApiCallError && err.fields) result = { ok: false as const, errors: err.fields };
        else throw err;
      }
      if (!result.ok) {
        setErrors(result.errors);
        setMessage({
          kind: 'error',
          text: `${Object.keys(result.errors).length === 1 ? 'One setting needs' : `${Object.keys(result.errors).length} settings need`} attention. Nothing was saved.`,
        });
        window.requestAnimationFrame(() => summaryRef.current?.focus());
        return false;
      }
      for (const name of secretNames) {
        const value = secrets[name];
        if (value) await api.setCredential({ name, value });
      }
      setErrors({});
      setSaved(result.settings);
      setDraft(result.settings);
      setSecrets({});
      setCredentialStatus(await api.getCredentialStatus());
      setKeepSecrets(false);
      const cleared = (result.clearedSecrets ?? []).filter((n) => !secrets[n]);
      setMessage(
        cleared.length
          ? {
              kind: 'error',
              text: `Settings saved. The address changed, so the stored secrets entered for the old one were removed: enter them again (${cleared.length} not set).`,
            }
          : { kind: 'ok', text: 'Settings saved.' },
      );
      return true;
    } catch (err) {
      setMessage({ kind: 'error', text: errorMessage(err) });
      return false;
    } finally {
      setSaving(false);
    }
  }, [api, draft, secrets, keepSecrets]);

  // Test connection sends the form as it is (issue #14 point 4): a password being tried out is
  // never saved by testing it.
  const draftForTest = useCallback(
    () => ({
      draft: normalizeSettings(draft!),
      secrets: Object.fromEntries(pendingSecrets.map((n) => [n, secrets[n]!])),
      ...(keepSecrets ? { confirmEndpointChange: true } : {}),
    }),
    [draft, pendingSecrets, secrets, keepSecrets],
  );

  if (!draft) {
    return (
      <>
        <h1 tabIndex={-1}>Settings</h1>
        {loadError ? (
          <p className="inline-error" role="alert">
            {loadError}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </>
    );
  }

  const props: SectionProps = { settings: draft, edit, errors, secrets, setSecret, credentialStatus };
  const errorEntries = Object.entries(errors);
  return (
    <form
      className="settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h1 tabIndex={-1}>Settings</h1>
      {errorEntries.length > 0 ? (
        <div className="banner banner-error" role="alert" tabIndex={-1} ref={summaryRef} data-testid="error-summary">
          <div className="banner-body">
            <p className="banner-title">Fix these settings, then save again</p>
            <ul className="error-list">
              {errorEntries.map(([path, text]) => (
                <li key={path}>
                  <button type="button" className="btn-link" onClick={() => document.getElementById(fieldIdOf(path))?.focus()}>
                    {namedMessage(path, text)}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      <IntacctSection {...props} draftForTest={draftForTest} />
      <TableauSection {...props} draftForTest={draftForTest} />
      <StreamsSection {...props} />
      <ModelsSection {...props} />
      <ScheduleSection {...props} />
      <AlertsSection {...props} />
      {saved && endpointChangesNeedingConfirmation(saved, draft, credentialStatus, secrets).length ? (
        <div className="banner banner-warning" data-testid="endpoint-change">
          <div className="banner-body">
            <p className="banner-title">The {endpointChangesNeedingConfirmation(saved, draft, credentialStatus, secrets).join(' and the ')} changed</p>
            <p>
              The stored passwords and secrets were entered for the old address. They are removed when you save, so they never go to an address they were not
              meant for: enter them again above, or confirm that the new address should receive them.
            </p>
            <label>
              <input type="checkbox" checked={keepSecrets} onChange={(e) => setKeepSecrets(e.target.checked)} data-testid="confirm-endpoint-change" /> Send the
              stored secrets to the new address
            </label>
          </div>
        </div>
      ) : null}
      <div className="save-bar">
        <button type="submit" className="btn btn-primary" disabled={saving || !dirty} data-testid="save-settings">
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={saving || !dirty}
          onClick={() => {
            setDraft(saved);
            setSecrets({});
            setErrors({});
            setMessage(null);
          }}
        >
          Discard changes
        </button>
        <span className={`save-message ${message?.kind ?? ''}`} role="status" data-testid="save-message">
          {message ? message.text : dirty ? 'Unsaved changes' : ''}
        </span>
      </div>
    </form>
  );
}
