/**
 * The model stage of a run (issue 15): after the raw streams loaded, build every enabled finance
 * model from the local replica with SQL in hyperd, run the three accounting checks, and publish
 * each enabled model as its own Tableau data source.
 *
 * - The replica is attached read-only in practice (only SELECTs run on it); the models' tables live
 *   in their own database `<dir>/models.hyper`, kept between runs: the previous build that the
 *   incremental rebuilds start from, and the AP aging snapshots (build-models.ts says what is
 *   incremental).
 * - A model that fails, or whose input model failed, is not published and is named with the reason
 *   in the result; run-sync.ts turns that into the run's warning ("partly succeeded"). A model whose
 *   streams are not in the replica (the stream is off) is skipped with the stream to turn on.
 * - Models that are off are not published; they are still built when a check or an enabled model
 *   needs them (model-catalog.ts `modelsToBuild`).
 * - No replica (none yet, or marked stale): every enabled model is skipped with that reason, never
 *   built from old data.
 * - The fiscal year start is resolved here, once per run (fiscal-year-source.ts): when none can be
 *   used the GL balances (and so the statements) are skipped with the reason; the AP models still run.
 */
import { join } from 'node:path';
import { formatCount } from '../../../shared/format';
import { mkdir, rm } from 'node:fs/promises';
import type { Clock } from '../clock';
import { asConnectorError, isAbortError } from '../errors';
import { quoteIdent } from '../hyper/hyper-sql';
import { localDateOf, zoneOf } from '../schedule/local-time';
import { streamByName } from '../streams/definitions';
import type { StreamName } from '../streams/types';
import type { LoadFn } from '../sync/ports';
import { MODEL_NAMES, type ModelName, type ModelRunResult, type ModelSettings, type ModelsRun } from '../../../shared/models';
import type { LogLevel } from '../../../shared/types';
import type { SqlClient } from './gl-balances';
import { MODEL_SPECS, modelDatasourceName, modelsToBuild } from './model-catalog';
import type { ModelStageDeps } from './model-ports';
import {
  buildModel,
  MODELS_ALIAS,
  modelTable,
  prepareModelsDatabase,
  REPLICA_ALIAS,
  replicaTable,
  tablesOf,
  type BuildOptions,
  type BuiltModel,
} from './build-models';
import { readLocationFiscalRows, resolveFiscalYearStart } from './fiscal-year-source';
import { publishThroughLoad, writeModelFile } from './publish-models';
import { describeAccountingChecks, runAccountingChecks } from './accounting-checks';
import { alreadyPublished, beginBuild, finishBuild, recordPublished } from './model-versions';
import { countRows } from './model-table';

/** What one run asks of the stage. */
export interface ModelStageInput {
  runId: string;
  settings: ModelSettings;
  /** IANA zone whose calendar date is the AP aging snapshot's date (the schedule's zone). */
  timezone: string;
  /** When the run started (UTC ms): the snapshot's day. */
  startedAt: number;
  projectId: string;
  /** Rebuild every model in full. */
  full: boolean;
  clock: Clock;
  /** The run's loader: the default way to publish (deps.publish overrides it). */
  load: LoadFn;
  /**
   * Whether a data source of this name is in the project now. An unchanged model is only left
   * un-uploaded when its data source is still there: someone may have deleted it in Tableau.
   */
  datasourceExists: (name: string, projectId: string) => Promise<boolean>;
  signal: AbortSignal;
  log: (level: LogLevel, message: string) => void;
}

/** The models' folder in the data folder (ModelStageDeps.dir). */
export const modelsDir = (dataDir: string): string => join(dataDir, 'models');

/** The models' database file in `dir`. */
export const modelsDatabasePath = (dir: string): string => join(dir, 'models.hyper');

/** YYYY-MM-DD of `ms` in `zone` (UTC when the zone is unknown). */
export function snapshotDateOf(ms: number, zone: string): string {
  const z = zoneOf(zone);
  const d = z ? localDateOf(z, ms) : { year: new Date(ms).getUTCFullYear(), month: new Date(ms).getUTCMonth() + 1, day: new Date(ms).getUTCDate() };
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

const enabledModels = (s: ModelSettings): ModelName[] => MODEL_NAMES.filter((m) => s.enabled[m]);

function resultOf(model: ModelName, settings: ModelSettings, rest: Omit<ModelRunResult, 'model' | 'label' | 'datasource'>): ModelRunResult {
  return { model, label: MODEL_SPECS[model].label, datasource: modelDatasourceName(settings, model), ...rest };
}

/** Runs the stage; resolves with what it did (it rejects only when cancelled). */
export async function runModels(deps: ModelStageDeps, input: ModelStageInput): Promise<ModelsRun> {
  const { settings, clock, log } = input;
  const stageStarted = clock.now();
  const enabled = enabledModels(settings);
  const needs = [...new Set(enabled.flatMap((m) => MODEL_SPECS[m].streams))];
  const replicaPath = await deps.replica.path(needs);
  const base = { runId: input.runId, replicaAsOf: await deps.replica.asOf() };
  if (!replicaPath) {
    const problem = deps.replica.problem?.() ?? 'There is no current local replica of the streams yet (it is rebuilt by the next full load of each stream).';
    const reason = `${problem} The finance models were not built.`;
    log('warn', `Finance models skipped: ${reason}`);
    return {
      ...base,
      models: enabled.map((m) => resultOf(m, settings, { outcome: 'skipped', rows: null, mode: null, seconds: 0, message: reason })),
      accountingChecks: null,
      skippedReason: reason,
    };
  }
  await mkdir(join(deps.dir, 'publish'), { recursive: true });
  const publish = deps.publish ?? publishThroughLoad(input.load);
  const snapshotDate = snapshotDateOf(input.startedAt, input.timezone);

  return deps.engine.withClient(async (client: SqlClient) => {
    await client.query(`ATTACH DATABASE ${quoteIdent(replicaPath)} AS ${quoteIdent(REPLICA_ALIAS)}`);
    const dbPath = modelsDatabasePath(deps.dir);
    await client.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(dbPath)}`);
    await client.query(`ATTACH DATABASE ${quoteIdent(dbPath)} AS ${quoteIdent(MODELS_ALIAS)}`);
    try {
      await prepareModelsDatabase(client);
      const streams = await tablesOf(client, REPLICA_ALIAS, 'replica');
      const unusable = deps.replica.unusable?.() ?? new Map<StreamName, string>();
      for (const s of unusable.keys()) streams.delete(s);
      const existing = await tablesOf(client, MODELS_ALIAS, 'models');
      // The fiscal year start: the override, else the entities' FIRSTMONTH (fiscal-year-source.ts).
      // The Locations stream is not a model's input: without it January is used, with a note.
      const locations =
        settings.fiscalYearStart === 'intacct' && streams.has('location') ? await readLocationFiscalRows(client, replicaTable('location')) : null;
      const fiscalYear = resolveFiscalYearStart(settings.fiscalYearStart, locations);
      if (fiscalYear.source !== 'override')
        log(fiscalYear.startMonth === null || fiscalYear.source === 'default' ? 'warn' : 'info', `Fiscal year: ${fiscalYear.note}`);
      const opts: BuildOptions = {
        full: input.full,
        fiscalYearStartMonth: fiscalYear.startMonth ?? 1,
        snapshotDate,
        apAgingKeepDays: settings.apAgingKeepDays,
      };

      // Build, in dependency order; a failure is kept per model and passed on to its dependents.
      const built = new Map<ModelName, BuiltModel & { seconds: number }>();
      // Each built model's content version (model-versions.ts): what says it need not be uploaded again.
      const versions = new Map<ModelName, string>();
      const problems = new Map<ModelName, { outcome: 'failed' | 'skipped'; message: string }>();
      for (const model of modelsToBuild(settings)) {
        if (input.signal.aborted) throw input.signal.reason;
        const spec = MODEL_SPECS[model];
        const missingStream = spec.streams.find((s) => !streams.has(s));
        const badInput = spec.inputs.find((i) => problems.has(i));
        if (missingStream) {
          problems.set(model, {
            outcome: 'skipped',
            message: unusable.has(missingStream)
              ? `Needs the ${streamByName(missingStream).label} stream, whose local copy cannot be used now: ${unusable.get(missingStream)}.`
              : `Needs the ${streamByName(missingStream).label} stream, which is not in the replica: turn it on in Settings › Streams.`,
          });
          continue;
        }
        if (model === 'gl_balances' && fiscalYear.startMonth === null) {
          problems.set(model, { outcome: 'skipped', message: fiscalYear.note });
          continue;
        }
        if (badInput) {
          problems.set(model, {
            outcome: problems.get(badInput)!.outcome,
            message: `Not built because ${MODEL_SPECS[badInput].label} was not: ${problems.get(badInput)!.message}`,
          });
          continue;
        }
        const started = clock.now();
        try {
          const glVersion = versions.get('gl_balances');
          const begun = await beginBuild(client, model, glVersion, existing.has(model));
          const b: BuiltModel = begun.reuse
            ? { rows: await countRows(client, modelTable(model)), mode: 'incremental', periods: [] }
            : await buildModel(client, model, opts, existing, built.get('gl_balances'));
          versions.set(model, begun.reuse ? begun.previous! : await finishBuild(client, model, b, begun.previous, input.runId, glVersion));
          built.set(model, { ...b, seconds: (clock.now() - started) / 1000 });
        } catch (err) {
          if (isAbortError(err) || input.signal.aborted) throw err;
          problems.set(model, { outcome: 'failed', message: `Building it failed: ${asConnectorError(err, 'hyper').userMessage}` });
        }
      }

      const why = (m: ModelName) => (built.has(m) ? null : `${MODEL_SPECS[m].label} was not built (${problems.get(m)?.message ?? 'not needed'}).`);
      const accountingChecks = await runAccountingChecks(
        client,
        {
          trialBalance: streams.has('gl_detail') ? null : 'The GL detail stream is not in the replica.',
          netIncome: why('pnl') ?? why('balance_sheet'),
          apAging: why('ap_aging'),
        },
        opts.snapshotDate,
        built.get('gl_balances')?.changes,
      );
      const breaks = describeAccountingChecks(accountingChecks);
      for (const line of breaks) log('warn', `Accounting check: ${line}`);

      // Publish the enabled models that were built.
      const models: ModelRunResult[] = [];
      for (const model of enabled) {
        const b = built.get(model);
        const problem = problems.get(model);
        if (!b) {
          models.push(
            resultOf(model, settings, { outcome: problem?.outcome ?? 'failed', rows: null, mode: null, seconds: 0, message: problem?.message ?? 'Not built.' }),
          );
          continue;
        }
        if (input.signal.aborted) throw input.signal.reason;
        const started = clock.now();
        const datasourceName = modelDatasourceName(settings, model);
        const file = join(deps.dir, 'publish', `${model}.hyper`);
        const done = (rest: Pick<ModelRunResult, 'outcome' | 'rows' | 'message' | 'upToDate'>) =>
          resultOf(model, settings, {
            ...rest,
            mode: b.mode,
            seconds: b.seconds + (clock.now() - started) / 1000,
            ...(b.periods ? { periods: b.periods } : {}),
          });
        const spec = MODEL_SPECS[model];
        const version = versions.get(model)!;
        if (
          (await alreadyPublished(client, model, version, spec, input.projectId, datasourceName)) &&
          (await input.datasourceExists(datasourceName, input.projectId))
        ) {
          models.push(done({ outcome: 'published', rows: b.rows, upToDate: true }));
          log(
            'info',
            `${spec.label}: "${datasourceName}" already holds these ${formatCount(b.rows)} rows (nothing it is built from changed); not uploaded again.`,
          );
          continue;
        }
        try {
          const rows = await writeModelFile(client, file, MODEL_SPECS[model], modelTable(model));
          await publish(
            { spec: MODEL_SPECS[model], file, datasourceName, projectId: input.projectId, requestId: `${input.runId}:model:${model}` },
            { signal: input.signal },
          );
          await recordPublished(client, model, version, spec, input.projectId, datasourceName);
          models.push(done({ outcome: 'published', rows }));
          log(
            'info',
            `${MODEL_SPECS[model].label}: ${formatCount(rows)} rows published to "${datasourceName}" (${b.mode}${b.periods ? `, ${b.periods.length} months recomputed` : ''}).`,
          );
        } catch (err) {
          if (isAbortError(err) || input.signal.aborted) throw err;
          const e = asConnectorError(err, 'tableau');
          models.push(done({ outcome: 'failed', rows: null, message: `Publishing it failed: ${e.userMessage}` }));
        } finally {
          await rm(file, { force: true });
        }
      }
      for (const m of models) if (m.outcome !== 'published') log('warn', `${m.label} ${m.outcome === 'skipped' ? 'skipped' : 'not published'}: ${m.message}`);
      return { ...base, models, accountingChecks, fiscalYear, seconds: (clock.now() - stageStarted) / 1000 };
    } finally {
      await client.query(`DETACH DATABASE ${quoteIdent(MODELS_ALIAS)}`).catch(() => undefined);
      await client.query(`DETACH DATABASE ${quoteIdent(REPLICA_ALIAS)}`).catch(() => undefined);
    }
  });
}
