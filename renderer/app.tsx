/**
 * The app shell: a header with the overall state, tab navigation (hash routes) and the page.
 */
import { useEffect, useRef } from 'react';
import type { Status } from '../shared/types';
import { useApi } from './api/api-context';
import { hrefOf, pages, useRoute } from './route';
import { useServiceStatus } from './use-service-status';
import { StatusPage } from './pages/status-page';
import { SettingsPage, hasUnsavedSettings } from './pages/settings-page';
import { SecretStorageContext } from './settings/secret-storage';
import { AboutFooter } from './components/about-footer';
import { LogsPage } from './pages/logs-page';
import { HistoryPage } from './pages/history-page';

const stateLabels: Record<Status['state'], string> = {
  idle: 'Up to date',
  syncing: 'Syncing…',
  error: 'Needs attention',
  'not-configured': 'Not set up',
};

/**
 * What the header says of the service. Idle before any run is "Not synced yet", not "Up to date":
 * between saving the first settings and the first sync nothing is in Tableau, and the window must
 * never say all is well when it is not.
 */
function pillLabel(state: Status['state'], lastRun: Status['lastRun']): string {
  return state === 'idle' && !lastRun ? 'Not synced yet' : stateLabels[state];
}

/** The whole window. */
export function App() {
  const api = useApi();
  const route = useRoute();
  const service = useServiceStatus(api);
  const mainRef = useRef<HTMLElement>(null);
  const state = service.status?.state;

  // Move focus to the page heading on navigation so keyboard and screen-reader users land on it.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route.page]);

  // Closing or reloading with unsaved settings asks first (issue #14 point 7): the browser asks in
  // served mode; in Electron the shell asks (main/electron/windows.ts askBeforeLeaving).
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!hasUnsavedSettings()) return;
      e.preventDefault();
      e.returnValue = ''; // Chromium before 119 asks only when returnValue is set
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);

  const title = pages.find((p) => p.page === route.page)?.title ?? 'Status';
  useEffect(() => {
    document.title = `${title} · ml-connector`;
  }, [title]);

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ML
          </span>
          <span className="brand-name">ml-connector</span>
          {service.status?.demo ? <span className="badge badge-demo">Demo</span> : null}
        </div>
        {state ? (
          <span className={`state-pill state-${state}`} role="status" aria-live="polite" data-testid="state-pill">
            <span className="dot" aria-hidden="true" />
            {pillLabel(state, service.status?.lastRun ?? null)}
          </span>
        ) : null}
      </header>
      <nav className="tabs" aria-label="Pages">
        {pages.map((p) => (
          <a key={p.page} href={hrefOf(p.page)} className="tab" aria-current={route.page === p.page ? 'page' : undefined}>
            {p.title}
          </a>
        ))}
      </nav>
      <main id="main" ref={mainRef} tabIndex={-1} className="page">
        {!service.connected ? (
          <div className="banner banner-warning banner-disconnected" role="alert" data-testid="disconnected-banner">
            <div className="banner-body">
              <p className="banner-title">Disconnected, reconnecting…</p>
              <p>
                This page has lost the ml-connector service, so what it shows may be out of date and its buttons are off until the service answers again. Check
                that the service is still running.
              </p>
            </div>
          </div>
        ) : null}
        {service.loadError && !service.status ? (
          <div className="banner banner-error" role="alert">
            <strong>Cannot load the status.</strong> {service.loadError}
          </div>
        ) : null}
        {/* A disabled fieldset turns off every button and field of the page at once while disconnected. */}
        <fieldset className="page-actions" disabled={!service.connected} data-testid="page-actions">
          {route.page === 'status' ? <StatusPage service={service} /> : null}
          {/* Where typed secrets are kept, beside each secret's box (issue #14 point 5). */}
          <SecretStorageContext.Provider value={service.status?.secretStorage ?? null}>
            {route.page === 'settings' ? <SettingsPage /> : null}
          </SecretStorageContext.Provider>
          {route.page === 'logs' ? <LogsPage key={route.params.toString()} params={route.params} /> : null}
          {route.page === 'history' ? <HistoryPage /> : null}
        </fieldset>
        {service.status?.about && (route.page === 'status' || route.page === 'settings') ? <AboutFooter about={service.status.about} /> : null}
      </main>
    </div>
  );
}
