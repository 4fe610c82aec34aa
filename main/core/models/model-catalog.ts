/**
 * The finance models as data (issue 15): each one's columns (its published data source's columns),
 * the replica streams it reads, and the models it is computed from. run-models.ts builds them in
 * MODEL_NAMES order, which puts every model after its inputs.
 */
import type { ColumnDef, StreamName } from '../streams/types';
import { MODEL_DATASOURCES, MODEL_LABELS, MODEL_NAMES, type ModelName, type ModelSettings } from '../../../shared/models';
import { GL_BALANCE_COLUMNS } from './gl-balances';
import { BALANCE_SHEET_COLUMNS, PNL_COLUMNS } from './financial-statements';
import { AP_AGING_COLUMNS } from './ap-aging';
import { BILL_PAYMENT_COLUMNS } from './bill-payment-flow';
import { VENDOR_PERFORMANCE_COLUMNS } from './vendor-performance';

export interface ModelSpec {
  readonly name: ModelName;
  readonly label: string;
  readonly columns: readonly ColumnDef[];
  /** Replica tables (streams) it reads. */
  readonly streams: readonly StreamName[];
  /** Models whose tables it is computed from. */
  readonly inputs: readonly ModelName[];
}

const spec = (name: ModelName, columns: readonly ColumnDef[], streams: StreamName[], inputs: ModelName[] = []): ModelSpec => ({
  name,
  label: MODEL_LABELS[name],
  columns,
  streams,
  inputs,
});

export const MODEL_SPECS: Readonly<Record<ModelName, ModelSpec>> = {
  gl_balances: spec('gl_balances', GL_BALANCE_COLUMNS, ['gl_detail', 'gl_account']),
  pnl: spec('pnl', PNL_COLUMNS, ['gl_account'], ['gl_balances']),
  balance_sheet: spec('balance_sheet', BALANCE_SHEET_COLUMNS, ['gl_account'], ['gl_balances']),
  ap_aging: spec('ap_aging', AP_AGING_COLUMNS, ['ap_bill']),
  bill_payment_flow: spec('bill_payment_flow', BILL_PAYMENT_COLUMNS, ['ap_bill', 'ap_payment_detail', 'ap_payment']),
  vendor_performance: spec('vendor_performance', VENDOR_PERFORMANCE_COLUMNS, [], ['bill_payment_flow']),
};

/** The data source a model is published to: the settings' name, else the default. */
export function modelDatasourceName(settings: ModelSettings, model: ModelName): string {
  return settings.datasourceNames[model]?.trim() || MODEL_DATASOURCES[model];
}

/**
 * The models to build: the enabled ones, their inputs, and what the accounting checks read (the
 * trial balance reads GL detail itself; the net-income check reads the P&L and balance sheet; the
 * AP aging total reads the aging snapshot), so the checks run even when those models are off.
 */
export function modelsToBuild(settings: ModelSettings): ModelName[] {
  const wanted = new Set<ModelName>(['gl_balances', 'pnl', 'balance_sheet', 'ap_aging']);
  for (const m of MODEL_NAMES) if (settings.enabled[m]) wanted.add(m);
  for (const m of [...MODEL_NAMES].reverse()) if (wanted.has(m)) MODEL_SPECS[m].inputs.forEach((i) => wanted.add(i));
  return MODEL_NAMES.filter((m) => wanted.has(m));
}
