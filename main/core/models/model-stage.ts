/**
 * The model stage as the run sees it (run-sync.ts calls it once, after the streams): runModels,
 * with a failure of the stage itself (hyperd could not open the replica, the models' database is
 * damaged) recorded as every enabled model failing with that reason, a cancel passed on, and the
 * run's warning when a model was not published.
 */
import { asConnectorError, isAbortError } from '../errors';
import type { ErrorInfo } from '../../../shared/types';
import { MODEL_NAMES, type ModelsRun } from '../../../shared/models';
import { MODEL_SPECS, modelDatasourceName } from './model-catalog';
import type { ModelStageDeps } from './model-ports';
import { runModels, type ModelStageInput } from './run-models';

/** Runs the stage; never rejects. `models` is absent only when the run was cancelled during it. */
export async function runModelStage(deps: ModelStageDeps, input: ModelStageInput): Promise<{ models?: ModelsRun; cancelled: boolean }> {
  try {
    return { models: await runModels(deps, input), cancelled: false };
  } catch (err) {
    if (isAbortError(err) || input.signal.aborted) {
      input.log('warn', 'Finance models: cancelled.');
      return { cancelled: true };
    }
    const message = `The finance models could not be built: ${asConnectorError(err, 'hyper').userMessage}`;
    input.log('error', message);
    const models = MODEL_NAMES.filter((m) => input.settings.enabled[m]).map((m) => ({
      model: m,
      label: MODEL_SPECS[m].label,
      datasource: modelDatasourceName(input.settings, m),
      outcome: 'failed' as const,
      rows: null,
      mode: null,
      seconds: 0,
      message,
    }));
    return { models: { runId: input.runId, replicaAsOf: await deps.replica.asOf(), models, accountingChecks: null }, cancelled: false };
  }
}

/** The run's error when an enabled model was not published (null: all were, or all were skipped for a reason). */
export function modelsError(run: ModelsRun, runId: string): ErrorInfo | null {
  const failed = run.models.filter((m) => m.outcome === 'failed');
  if (!failed.length) return null;
  return {
    message:
      `The data was loaded, but ${failed.length === 1 ? 'a finance model was' : `${failed.length} finance models were`} not published: ` +
      `${failed.map((m) => `${m.label} (${m.message ?? 'no reason recorded'})`).join('; ')}. Its data source in Tableau still holds the previous run's figures.`,
    service: 'hyper',
    code: 'MODELS_FAILED',
    kind: 'transient',
    runId,
  };
}
