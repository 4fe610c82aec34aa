/**
 * Which models need no new build or upload (issue 15 "Models rebuild only what changed"; bench:sync's
 * incremental run republished 356k GL balance rows after an edit that recomputed no month).
 *
 * Each model's table carries a content version in the models' state table (`content.<model>`):
 * - GL balances keeps its version when an incremental build recomputed no month (its table was not
 *   written: gl-balances-incremental.ts writes only the affected rows), and gets the run's id otherwise;
 * - the P&L and the balance sheet are derived from GL balances and GL accounts only
 *   (financial-statements.ts), and a change in GL accounts rebuilds GL balances in full
 *   (build-models.ts `buildBalances`), so their version is "from <GL balances' version>": when it
 *   is already theirs, their table is that derivation and is not built again;
 * - the AP models get the run's id every run: today's AP aging snapshot is rewritten from the bills
 *   as they are now (its TOTALDUE is today's, ap-aging.ts) and the flow models are rebuilt in full;
 *   they are small beside the GL models, so comparing them would cost about what uploading does.
 * The version is removed before a build and written after it succeeds, so a build that failed or was
 * interrupted half-way never leaves a version that claims the old content.
 *
 * After an upload, `published.<model>` records the version and where it went (project, data source
 * name, the model's columns). A model whose version and target are those of its last upload is not
 * uploaded again: the data source already holds exactly these rows. A full model rebuild (asked for,
 * or with a full reload) gives every model a new version, so it republishes them all.
 */
import type { ModelName } from '../../../shared/models';
import type { SqlClient } from './gl-balances';
import type { ModelSpec } from './model-catalog';
import type { BuiltModel } from './build-models';
import { deleteState, readState, writeState } from './build-models';

const contentKey = (m: ModelName) => `content.${m}`;
const publishedKey = (m: ModelName) => `published.${m}`;
const DERIVED_FROM_GL: readonly ModelName[] = ['pnl', 'balance_sheet'];

/** True when `b` (GL balances) left its table as it was. */
export const balancesUnchanged = (b: BuiltModel): boolean => b.mode === 'incremental' && (b.periods?.length ?? 0) === 0;

/** The version a GL-derived model has when built from GL balances at version `glVersion`. */
const derivedVersion = (glVersion: string) => `from ${glVersion}`;

/**
 * Starts building `model`: removes its version and says what it was, and whether its table is
 * already what this build would write (a GL-derived model whose GL balances did not change).
 */
export async function beginBuild(
  client: SqlClient,
  model: ModelName,
  glVersion: string | undefined,
  tableExists: boolean,
): Promise<{ previous: string | null; reuse: boolean }> {
  const previous = await readState(client, contentKey(model));
  const reuse = tableExists && glVersion !== undefined && DERIVED_FROM_GL.includes(model) && previous === derivedVersion(glVersion);
  if (!reuse) await deleteState(client, contentKey(model));
  return { previous, reuse };
}

/** Records the version of `model` after a successful build; returns it. */
export async function finishBuild(
  client: SqlClient,
  model: ModelName,
  b: BuiltModel,
  previous: string | null,
  runId: string,
  glVersion: string | undefined,
): Promise<string> {
  let version: string;
  if (model === 'gl_balances') version = balancesUnchanged(b) && previous !== null ? previous : `run ${runId}`;
  else if (DERIVED_FROM_GL.includes(model) && glVersion !== undefined) version = derivedVersion(glVersion);
  else version = `run ${runId}`;
  await writeState(client, contentKey(model), version);
  return version;
}

/** Where a model is uploaded to, with what columns: a change in any of them is a new upload. */
const targetOf = (spec: ModelSpec, projectId: string, datasourceName: string) => JSON.stringify([projectId, datasourceName, spec.columns]);

/** True when the data source already holds version `version` of `model` (its last upload). */
export async function alreadyPublished(
  client: SqlClient,
  model: ModelName,
  version: string,
  spec: ModelSpec,
  projectId: string,
  datasourceName: string,
): Promise<boolean> {
  return (await readState(client, publishedKey(model))) === JSON.stringify([version, targetOf(spec, projectId, datasourceName)]);
}

/** Records a successful upload of version `version` of `model`. */
export async function recordPublished(
  client: SqlClient,
  model: ModelName,
  version: string,
  spec: ModelSpec,
  projectId: string,
  datasourceName: string,
): Promise<void> {
  await writeState(client, publishedKey(model), JSON.stringify([version, targetOf(spec, projectId, datasourceName)]));
}
