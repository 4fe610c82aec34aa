/**
 * Building each model's table in the models' own database from the replica (issue 15): GL balances
 * incrementally when a previous build exists with the same fiscal year and GL accounts (only the
 * months whose activity changed, gl-changes.ts), the P&L and balance sheet re-derived from the
 * balances (no GL line read), today's AP aging snapshot added to the kept ones, and the AP flow
 * models rebuilt in full (they have no incremental form: a payment changes its bill's whole row set).
 */
import type { ModelName } from '../../../shared/models';
import { qualifiedName, buildGlBalances, type SqlClient } from './gl-balances';
import { updateGlBalances } from './gl-balances-incremental';
import { changedGlActivity, glAccountFingerprint, type GlActivityChange } from './gl-changes';
import { buildBalanceSheet, buildPnl } from './financial-statements';
import { writeApAgingSnapshot } from './ap-aging';
import { buildBillPaymentFlow } from './bill-payment-flow';
import { buildVendorPerformance } from './vendor-performance';
import { countRows } from './model-table';
import { quoteLiteral } from '../hyper/hyper-sql';

/** Aliases the stage attaches the two databases under (its own hyperd session). */
export const REPLICA_ALIAS = 'mlc_replica';
export const MODELS_ALIAS = 'mlc_models';
const MODELS_SCHEMA = 'models';

/** The replica's table of a stream. */
export const replicaTable = (stream: string): string => qualifiedName(REPLICA_ALIAS, 'replica', stream);
/** A model's table in the models' database. */
export const modelTable = (name: string): string => qualifiedName(MODELS_ALIAS, MODELS_SCHEMA, name);
const STATE = modelTable('build_state');

export interface BuildOptions {
  /** Rebuild in full (asked for, e.g. with a full reload). */
  full: boolean;
  fiscalYearStartMonth: number;
  /** YYYY-MM-DD: the AP aging snapshot's date (the run's date in the user's zone). */
  snapshotDate: string;
  apAgingKeepDays: number;
}

export interface BuiltModel {
  rows: number;
  mode: 'incremental' | 'full';
  /** GL-derived models: the months recomputed (incremental), empty when nothing changed. */
  periods?: string[];
  /** GL balances built incrementally: the accounts whose activity changed, per month. */
  changes?: GlActivityChange[];
}

/** Creates the models' schema and state table when missing. */
export async function prepareModelsDatabase(client: SqlClient): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${qualifiedName(MODELS_ALIAS, MODELS_SCHEMA)}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE} ("KEY" TEXT NOT NULL, "VALUE" TEXT)`);
}

/** Tables present in schema `schema` of the database attached as `alias`. */
export async function tablesOf(client: SqlClient, alias: string, schema: string): Promise<Set<string>> {
  const r = await client.query<{ tablename: string }>(
    `SELECT tablename FROM ${qualifiedName(alias, 'pg_catalog', 'pg_tables')} WHERE schemaname = ${quoteLiteral(schema)}`,
  );
  return new Set(r.rows.map((x) => x.tablename));
}

/** A value of the models' state table (model-versions.ts, the GL balances' inputs). */
export async function readState(client: SqlClient, key: string): Promise<string | null> {
  const r = await client.query<{ VALUE: string | null }>(`SELECT "VALUE" FROM ${STATE} WHERE "KEY" = ${quoteLiteral(key)}`);
  return r.rows[0]?.VALUE ?? null;
}

export async function deleteState(client: SqlClient, key: string): Promise<void> {
  await client.query(`DELETE FROM ${STATE} WHERE "KEY" = ${quoteLiteral(key)}`);
}

export async function writeState(client: SqlClient, key: string, value: string): Promise<void> {
  await deleteState(client, key);
  await client.query(`INSERT INTO ${STATE} ("KEY", "VALUE") VALUES (${quoteLiteral(key)}, ${quoteLiteral(value)})`);
}

/** Builds GL balances, incrementally when the previous build can be carried forward. */
async function buildBalances(client: SqlClient, opts: BuildOptions, existing: Set<string>): Promise<BuiltModel> {
  const src = { glDetail: replicaTable('gl_detail'), glAccount: replicaTable('gl_account') };
  const target = modelTable('gl_balances');
  const fingerprint = `${opts.fiscalYearStartMonth}/${await glAccountFingerprint(client, src.glAccount)}`;
  const previous = existing.has('gl_balances') ? await readState(client, 'gl_balances.inputs') : null;
  let built: BuiltModel;
  if (opts.full || previous !== fingerprint) {
    built = { rows: await buildGlBalances(client, target, src, { fiscalYearStartMonth: opts.fiscalYearStartMonth }), mode: 'full' };
  } else {
    const { months, changes } = await changedGlActivity(client, src.glDetail, target);
    const r = await updateGlBalances(client, target, src, { fiscalYearStartMonth: opts.fiscalYearStartMonth }, months);
    built = { rows: r.rows, mode: r.mode, periods: r.months, changes };
  }
  await writeState(client, 'gl_balances.inputs', fingerprint);
  return built;
}

/**
 * Builds one model's table (its inputs are built already). `existing`: the models' tables before
 * this run, `gl`: how GL balances was built (the statements follow it).
 */
export async function buildModel(
  client: SqlClient,
  model: ModelName,
  opts: BuildOptions,
  existing: Set<string>,
  gl: BuiltModel | undefined,
): Promise<BuiltModel> {
  const statements = { glBalances: modelTable('gl_balances'), glAccount: replicaTable('gl_account') };
  const following = (rows: number): BuiltModel => ({ rows, mode: gl?.mode ?? 'full', ...(gl?.periods ? { periods: gl.periods } : {}) });
  switch (model) {
    case 'gl_balances':
      return buildBalances(client, opts, existing);
    case 'pnl':
      return following(await buildPnl(client, modelTable('pnl'), statements));
    case 'balance_sheet':
      return following(await buildBalanceSheet(client, modelTable('balance_sheet'), statements));
    case 'ap_aging': {
      // Past snapshots cannot be recomputed (TOTALDUE is only today's, ap-aging.ts), so even a full
      // rebuild keeps them: it rewrites today's.
      await writeApAgingSnapshot(client, modelTable('ap_aging'), replicaTable('ap_bill'), opts.snapshotDate, opts.apAgingKeepDays);
      return { rows: await countRows(client, modelTable('ap_aging')), mode: existing.has('ap_aging') ? 'incremental' : 'full' };
    }
    case 'bill_payment_flow':
      return {
        rows: await buildBillPaymentFlow(client, modelTable('bill_payment_flow'), {
          apBill: replicaTable('ap_bill'),
          apPaymentDetail: replicaTable('ap_payment_detail'),
          apPayment: replicaTable('ap_payment'),
        }),
        mode: 'full',
      };
    case 'vendor_performance':
      return { rows: await buildVendorPerformance(client, modelTable('vendor_performance'), modelTable('bill_payment_flow')), mode: 'full' };
  }
}
