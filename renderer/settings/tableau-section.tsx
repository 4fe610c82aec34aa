/**
 * Tableau Cloud or Server: where to publish, how to sign in (PAT or connected app), which project,
 * and the dependent data sources refreshed after each run.
 */
import { Checkbox, RadioGroup, TextAreaField, TextField } from '../components/fields';
import { ConnectionTest, type TestDraft } from './connection-test';
import { splitTableauUrl } from './field-checks';
import { SecretField } from './secret-field';
import type { SectionProps } from './section-props';
import { firstError } from './section-props';

/** The Tableau fieldset. */
export function TableauSection({
  settings,
  edit,
  errors,
  secrets,
  setSecret,
  credentialStatus,
  draftForTest,
  onTested,
}: SectionProps & { draftForTest: () => TestDraft; onTested?: (ok: boolean) => void }) {
  const t = settings.tableau;
  const cloud = t.kind === 'cloud';
  return (
    <section className="card settings-section" aria-labelledby="sec-tableau">
      <h2 id="sec-tableau">Tableau</h2>
      <RadioGroup
        path="tableau.kind"
        legend="Product"
        value={t.kind}
        options={[
          { value: 'cloud', label: 'Tableau Cloud' },
          { value: 'server', label: 'Tableau Server' },
        ]}
        onChange={(v) => edit((d) => void (d.tableau.kind = v))}
        error={errors['tableau.kind']}
      />
      <div className="grid-2">
        <TextField
          path="tableau.serverUrl"
          label={cloud ? 'Pod URL' : 'Server URL'}
          type="url"
          value={t.serverUrl}
          placeholder={cloud ? 'https://10ax.online.tableau.com' : 'https://tableau.example.com'}
          // A browser address pasted whole (…/#/site/acme/home) is split into server and site.
          onChange={(v) => {
            const split = splitTableauUrl(v);
            edit((d) => {
              d.tableau.serverUrl = split ? split.serverUrl : v;
              if (split) d.tableau.site = split.site;
              if (split?.cloud) d.tableau.kind = 'cloud';
            });
          }}
          error={errors['tableau.serverUrl']}
        />
        <TextField
          path="tableau.site"
          label="Site"
          value={t.site}
          hint={cloud ? 'The site name in your Tableau Cloud address (…/#/site/NAME/).' : 'Empty = the Default site.'}
          onChange={(v) => edit((d) => void (d.tableau.site = v))}
          error={errors['tableau.site']}
        />
      </div>
      <RadioGroup
        path="tableau.auth"
        legend="Sign in with"
        value={t.auth}
        options={[
          { value: 'pat', label: 'Personal access token' },
          { value: 'connected-app', label: 'Connected app' },
        ]}
        onChange={(v) => edit((d) => void (d.tableau.auth = v))}
        error={errors['tableau.auth']}
      />
      {t.auth === 'pat' ? (
        <div className="grid-2">
          <TextField
            path="tableau.patName"
            label="Token name"
            value={t.patName}
            onChange={(v) => edit((d) => void (d.tableau.patName = v))}
            error={errors['tableau.patName']}
          />
          <SecretField
            name="tableauPatSecret"
            label="Token secret"
            isSet={credentialStatus?.tableauPatSecret}
            value={secrets.tableauPatSecret ?? ''}
            onChange={(v) => setSecret('tableauPatSecret', v)}
            error={errors['secrets.tableauPatSecret']}
          />
        </div>
      ) : (
        <>
          <div className="grid-2">
            <TextField
              path="tableau.connectedAppClientId"
              label="Client ID"
              value={t.connectedAppClientId}
              onChange={(v) => edit((d) => void (d.tableau.connectedAppClientId = v))}
              error={errors['tableau.connectedAppClientId']}
            />
            <TextField
              path="tableau.connectedAppSecretId"
              label="Secret ID"
              value={t.connectedAppSecretId}
              onChange={(v) => edit((d) => void (d.tableau.connectedAppSecretId = v))}
              error={errors['tableau.connectedAppSecretId']}
            />
            <SecretField
              name="tableauConnectedAppSecret"
              label="Secret value"
              isSet={credentialStatus?.tableauConnectedAppSecret}
              value={secrets.tableauConnectedAppSecret ?? ''}
              onChange={(v) => setSecret('tableauConnectedAppSecret', v)}
              error={errors['secrets.tableauConnectedAppSecret']}
            />
            <TextField
              path="tableau.connectedAppUser"
              label="Sign in as (username)"
              value={t.connectedAppUser}
              onChange={(v) => edit((d) => void (d.tableau.connectedAppUser = v))}
              error={errors['tableau.connectedAppUser']}
            />
          </div>
          <ConnectedAppScopesHelp createProject={t.createProject} refresh={t.dependentDatasources.some((n) => n.trim() !== '')} />
        </>
      )}
      <div className="grid-2">
        <TextField
          path="tableau.project"
          label="Project"
          value={t.project}
          onChange={(v) => edit((d) => void (d.tableau.project = v))}
          error={errors['tableau.project']}
        />
        <Checkbox
          path="tableau.createProject"
          label="Create the project if it does not exist"
          checked={t.createProject}
          onChange={(v) => edit((d) => void (d.tableau.createProject = v))}
          error={errors['tableau.createProject']}
        />
      </div>
      <TextAreaField
        path="tableau.dependentDatasources"
        label="Dependent data sources to refresh (one per line)"
        value={t.dependentDatasources.join('\n')}
        hint="Extracts built on the loaded data (e.g. a joined AP aging source); refreshed after each run."
        // Kept as typed (blank lines included) while editing; trimmed and de-blanked on Save.
        onChange={(v) => edit((d) => void (d.tableau.dependentDatasources = v.split('\n')))}
        error={firstError(errors, 'tableau.dependentDatasources')}
      />
      <ConnectionTest side="tableau" draftForTest={draftForTest} {...(onTested ? { onResult: onTested } : {})} />
    </section>
  );
}

/**
 * What the connected app must grant. The connector asks only for the scopes its calls need (a JWT
 * asking for a scope the app does not grant is refused at sign-in); the list follows
 * `connectedAppScopes` in main/core/tableau/tableau-auth.ts.
 */
function ConnectedAppScopesHelp({ createProject, refresh }: { createProject: boolean; refresh: boolean }) {
  const code = (s: string) => <code key={s}>{s}</code>;
  const join = (list: string[]) => list.flatMap((s, i) => (i === 0 ? [code(s)] : [', ', code(s)]));
  return (
    <p className="hint connected-app-scopes" id="connected-app-scopes">
      The connected app (direct trust) must be enabled and grant{' '}
      {join(['tableau:content:read', 'tableau:datasources:create', 'tableau:datasources:update', 'tableau:file_uploads:create', 'tableau:jobs:read'])}
      {createProject ? <>, {code('tableau:projects:create')} (to create the project)</> : null}
      {refresh ? <>, {code('tableau:tasks:run')} (to refresh the dependent data sources)</> : null}, and {code('tableau:viz_data_service:read')} (to tie out
      against what Tableau holds). Connected apps need Tableau Cloud or Tableau Server 2025.1 (REST API 3.25) or later: before that Tableau does not let a
      connected app check the jobs that confirm each load.
    </p>
  );
}
