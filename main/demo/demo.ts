/**
 * The built-in demo (issue #4 "The built-in demo"): both emulators in-process with the sample
 * company, the service configured against them (demo settings, secrets in memory only), and a full
 * sync, so a new user sees the whole flow with nothing to sign up for. `serve --demo` keeps the
 * environment running for the UI.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock';
import { startIntacctEmulator, type IntacctEmulator, type IntacctEmulatorOptions } from '../emulators/intacct';
import { startTableauEmulator, type TableauEmulator, type TableauEmulatorOptions } from '../emulators/tableau';
import type { FetchLike } from '../core/http/transport';
import { streamDefinitions, syncedDefinitions } from '../core/streams/definitions';
import { createConnectorService, type ConnectorService } from '../core/service/connector-service';
import type { ServiceFactories } from '../core/service/runtime';
import { defaultSettings } from '../core/service/settings';
import { memorySecretStore, memorySettingsStore } from '../core/service/stores';
import type { EngineOptions } from '../core/sync/stream-sync';
import type { LogEntry, RunDetail, Settings } from '../../shared/types';
import { compareStream, type SideComparison } from './compare-sides';
import { compareReplicaStream, type ReplicaComparison } from './compare-replica';
import type { AccountingChecks } from '../../shared/models';
import type { ReplicaSource } from '../core/models/model-ports';

/** Options of the demo environment. */
export interface DemoOptions {
  /** The demo's own folder: emptied first, because the emulators start fresh every time. */
  dataDir: string;
  /** GL detail rows of the sample company (default 5000). */
  glRows?: number;
  clock: Clock;
  fetch: FetchLike;
  factories: ServiceFactories;
  hyperdPath?: string;
  env?: { HYPERD_PATH?: string };
  log?: (e: LogEntry) => void;
  intacct?: Partial<IntacctEmulatorOptions>;
  tableau?: Partial<TableauEmulatorOptions>;
  engineOptions?: Partial<EngineOptions>;
  /** The local replica the finance models are built from (absent: the service's own, or none). */
  replica?: ReplicaSource;
}

/** The running demo: emulators + a service configured against them. */
export interface DemoEnvironment {
  service: ConnectorService;
  intacct: IntacctEmulator;
  tableau: TableauEmulator;
  settings: Settings;
  dataDir: string;
  /** Compares every enabled stream's two sides (key sets and money sums). */
  compare(): Promise<SideComparison[]>;
  /** Compares every enabled stream's local replica with its Tableau data source, row by row. */
  compareReplica(): Promise<ReplicaComparison[]>;
  close(): Promise<void>;
}

/** The summary `npm run demo -- --json` prints as its last line. */
export interface DemoResult {
  ok: boolean;
  streams: { name: string; intacctRows: number; tableauRows: number; match: boolean }[];
  durationMs: number;
  apiTransactions: number;
  auditTrail: string;
  run: RunDetail | null;
  /** One entry per enabled finance model: name, data source, rows (issue 15). */
  models: { name: string; label: string; datasource: string; outcome: string; rows: number | null; mode: string | null; message?: string }[];
  /** The accounting checks of the run (null: not run, e.g. no replica). */
  accountingChecks: AccountingChecks | null;
  problems: string[];
}

/** Settings pointing at the two emulators. */
export function demoSettings(intacct: IntacctEmulator, tableau: TableauEmulator): Settings {
  const s = defaultSettings();
  s.intacct = {
    ...s.intacct,
    senderId: intacct.credentials.senderId,
    companyId: intacct.credentials.companyId,
    userId: intacct.credentials.userId,
    endpoint: intacct.url,
  };
  s.tableau = {
    ...s.tableau,
    kind: 'server',
    serverUrl: tableau.url,
    site: tableau.site,
    auth: 'pat',
    patName: tableau.patName,
    project: 'Sage Intacct (demo)',
    createProject: true,
  };
  // The sample company's history is one year: load all of it.
  s.streams.glDetailStartDate = '';
  s.schedule = { preset: { kind: 'manual' }, timezone: 'UTC', paused: false };
  return s;
}

/** Starts both emulators and a service configured against them. */
export async function startDemoEnvironment(opts: DemoOptions): Promise<DemoEnvironment> {
  rmSync(opts.dataDir, { recursive: true, force: true });
  mkdirSync(opts.dataDir, { recursive: true });
  const intacct = await startIntacctEmulator({ glRows: opts.glRows ?? 5000, clock: opts.clock, ...opts.intacct });
  let tableau: TableauEmulator;
  try {
    tableau = await startTableauEmulator({
      clock: opts.clock,
      workDir: join(opts.dataDir, 'tableau-emulator'),
      ...(opts.hyperdPath ? { hyperdPath: opts.hyperdPath } : {}),
      ...opts.tableau,
    });
  } catch (err) {
    await intacct.close();
    throw err;
  }
  const settings = demoSettings(intacct, tableau);
  const secrets = memorySecretStore({
    intacctSenderPassword: intacct.credentials.senderPassword,
    intacctUserPassword: intacct.credentials.userPassword,
    tableauPatSecret: tableau.patSecret,
  });
  let service: ConnectorService;
  try {
    service = await createConnectorService({
      clock: opts.clock,
      fetch: opts.fetch,
      secrets,
      settings: memorySettingsStore(settings),
      dataDir: opts.dataDir,
      demo: true,
      factories: opts.factories,
      ...(opts.hyperdPath ? { hyperdPath: opts.hyperdPath } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.engineOptions ? { engineOptions: opts.engineOptions } : {}),
      ...(opts.replica ? { replica: opts.replica } : {}),
    });
  } catch (err) {
    await Promise.allSettled([intacct.close(), tableau.close()]);
    throw err;
  }
  const compare = async () => {
    const current = await service.getSettings();
    const out: SideComparison[] = [];
    for (const def of streamDefinitions.filter((d) => current.streams.enabled[d.name])) {
      out.push(await compareStream(def, current, { intacctRecords: (o) => intacct.company.list(o), tableauRows: (n) => tableau.readRows(n) }));
    }
    return out;
  };
  const compareReplica = async () => {
    const current = await service.getSettings();
    const replica = await service.replica();
    const out: ReplicaComparison[] = [];
    for (const def of syncedDefinitions(current)) {
      const rows = await tableau.readRows(current.tableau.datasourceNames[def.name] || def.target.datasource);
      out.push(compareReplicaStream(def, rows, replica ? await replica.rows(def) : null));
    }
    return out;
  };
  return {
    service,
    intacct,
    tableau,
    settings,
    dataDir: opts.dataDir,
    compare,
    compareReplica,
    close: async () => {
      await service.shutdown();
      await Promise.allSettled([intacct.close(), tableau.close()]);
    },
  };
}

/** Starts the demo, syncs everything, compares both sides, and stops (unless `keep`). */
export async function runDemo(opts: DemoOptions & { keep?: boolean }): Promise<{ result: DemoResult; env: DemoEnvironment | null }> {
  const started = opts.clock.now();
  const env = await startDemoEnvironment(opts);
  try {
    const r = await env.service.runNow({ trigger: 'demo' });
    const run = 'outcome' in r ? r : null;
    const sides = await env.compare();
    const problems = [
      ...(run ? [] : ['The demo run did not start.']),
      ...(run && run.outcome !== 'succeeded' ? [`Run ${run.outcome}: ${run.error?.message ?? ''}`] : []),
      ...sides.flatMap((s) => s.problems.map((p) => `${s.name}: ${p}`)),
    ];
    const result: DemoResult = {
      ok: run?.outcome === 'succeeded' && sides.every((s) => s.match),
      streams: sides.map(({ name, intacctRows, tableauRows, match }) => ({ name, intacctRows, tableauRows, match })),
      durationMs: opts.clock.now() - started,
      apiTransactions: run?.apiTransactions ?? 0,
      auditTrail: join(opts.dataDir, 'connector.sqlite'),
      run,
      models: (run?.models?.models ?? []).map((m) => ({
        name: m.model,
        label: m.label,
        datasource: m.datasource,
        outcome: m.outcome,
        rows: m.rows,
        mode: m.mode,
        ...(m.message ? { message: m.message } : {}),
      })),
      accountingChecks: run?.models?.accountingChecks ?? null,
      problems,
    };
    if (!opts.keep) {
      await env.close();
      return { result, env: null };
    }
    return { result, env };
  } catch (err) {
    await env.close();
    throw err;
  }
}
