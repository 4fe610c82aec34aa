/**
 * The real clients behind the service's factories: the Intacct XML gateway client (docs/architecture.md), the
 * Tableau REST client and loader (§D), the Hyper engine writing payloads (§C) and the alert rules
 * (§F).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateAlerts } from '../alerts';
import { findHyperd, readHyperdVersion, startHyperEngine, writeHyperFile } from '../hyper';
import { createIntacctClient } from '../intacct';
import { createTableauClient, loadBatch, type JobPollPolicy } from '../tableau';
import type { RetryPolicy } from '../http/retry';
import type { LoadFn, WritePayloadFn } from '../sync/ports';
import { hyperQueryFn } from '../sync/tableau-tie-out';
import { openHyperReplica, replicaDir } from '../replica';
import { modelsDir } from '../models/run-models';
import type { ServiceFactories, SourceClient, TargetClient } from './runtime';

/** Loopback hosts: the emulators. Plain http and these hosts are only accepted for them. */
export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}

/** Options of the real factories. */
export interface DefaultFactoryOptions {
  /** Where the app looks for a bundled hyperd (Electron's resourcesPath). */
  resourcesPath?: string;
  /** Project root (development: the npm package's hyperd). */
  projectRoot?: string;
  /** Client tuning (tests and benches shorten timeouts and backoff; the defaults suit production). */
  intacct?: { timeoutMs?: number; retry?: Partial<RetryPolicy> };
  tableau?: { timeoutMs?: number; retry?: Partial<RetryPolicy>; jobPoll?: Partial<JobPollPolicy> };
}

/** The factories the app, the CLI and the demo use. */
export function defaultFactories(opts: DefaultFactoryOptions = {}): ServiceFactories {
  /** The hyperd to run: the setting, then HYPERD_PATH, then the bundled or the npm package's copy. */
  const locateHyperd = (hyperdPath: string | undefined, env: { HYPERD_PATH?: string } | undefined) =>
    findHyperd({
      ...(hyperdPath ? { settingsPath: hyperdPath } : {}),
      ...(env?.HYPERD_PATH ? { env: { HYPERD_PATH: env.HYPERD_PATH } } : {}),
      ...(opts.resourcesPath ? { resourcesPath: opts.resourcesPath } : {}),
      ...(opts.projectRoot ? { projectRoot: opts.projectRoot } : {}),
    });
  return {
    createSource({ settings, credentials, fetch, clock, random, onEvent }): SourceClient {
      const endpoint = settings.intacct.endpoint;
      // Session endpoints must be Intacct's own hosts; a loopback login URL (the emulator) may use loopback ones.
      const loopback = isLoopbackHost(new URL(endpoint).hostname);
      return createIntacctClient({
        credentials,
        endpoint,
        ...(loopback ? { allowedEndpointHosts: (host: string) => isLoopbackHost(host) } : {}),
        fetch,
        clock,
        ...(random ? { random } : {}),
        concurrency: settings.intacct.concurrency,
        ...(opts.intacct?.timeoutMs ? { timeoutMs: opts.intacct.timeoutMs } : {}),
        ...(opts.intacct?.retry ? { retry: opts.intacct.retry } : {}),
        onEvent,
      });
    },
    createTarget({ settings, auth, fetch, clock, random, onEvent }) {
      const t = opts.tableau ?? {};
      const client = createTableauClient({
        serverUrl: settings.tableau.serverUrl,
        site: settings.tableau.site,
        auth,
        fetch,
        clock,
        ...(random ? { random } : {}),
        ...(t.timeoutMs ? { timeoutMs: t.timeoutMs } : {}),
        ...(t.retry ? { retry: t.retry } : {}),
        ...(t.jobPoll ? { jobPoll: t.jobPoll } : {}),
        // A connected-app JWT asks only for the scopes this run's calls need (tableau-auth.ts).
        scopeNeeds: { createProject: settings.tableau.createProject, refresh: settings.tableau.dependentDatasources.length > 0, readBack: 'auto' },
        onEvent,
      });
      const load: LoadFn = async (batch, o) => {
        const r = await loadBatch(client, batch, { ...(o.signal ? { signal: o.signal } : {}), ...(o.onPhase ? { onPhase: o.onPhase } : {}) });
        return { datasourceId: r.datasourceId, jobId: r.jobId };
      };
      return { client: client as TargetClient, load, readBack: client };
    },
    async startPayloadWriter({ dataDir, hyperdPath, env }) {
      const path = locateHyperd(hyperdPath, env);
      const logDir = join(dataDir, 'logs');
      const workDir = join(dataDir, 'hyper');
      mkdirSync(logDir, { recursive: true });
      mkdirSync(workDir, { recursive: true });
      mkdirSync(replicaDir(dataDir), { recursive: true, mode: 0o700 });
      // Database files only in the payload folder (connector-service.ts writes payloads there), the
      // replica's own folder (replica-layout.ts says why not the data folder itself) and the finance
      // models' folder (their database and the files they are published from).
      const engine = await startHyperEngine({
        hyperdPath: path,
        logDir,
        workDir,
        databaseDirs: [join(dataDir, 'payloads'), replicaDir(dataDir), modelsDir(dataDir)],
        ...(env?.hyperd ? { env: env.hyperd } : {}),
      });
      const write: WritePayloadFn = (file, tables) => writeHyperFile(engine, file, tables);
      return { write, stop: () => engine.stop(), queryHyper: hyperQueryFn(engine), replica: openHyperReplica({ engine, dataDir }), sql: engine };
    },
    evaluateAlerts: (input) => evaluateAlerts(input),
    async hyperdVersion({ hyperdPath, env }) {
      try {
        return await readHyperdVersion(locateHyperd(hyperdPath, env), env?.hyperd ? { env: env.hyperd } : {});
      } catch {
        return null; // not found or would not start: About says "not found", a run says why
      }
    },
  };
}
