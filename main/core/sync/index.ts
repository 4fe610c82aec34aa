/**
 * The sync engine: one run over the streams (issue #4). Import from here.
 */
export { runSync, errorInfo, type RunDeps, type RunRequest } from './run-sync';
export { syncStream, defaultEngineOptions, effectiveFilters, type EngineOptions, type StreamSyncContext, type StreamSyncOutcome } from './stream-sync';
export { openLedger, type Ledger, type LedgerEntry, type AmountSums } from './ledger';
export { buildTieOut, compareSums, describeTieOut } from './tie-out';
export { batchRequestId } from './request-id';
export { rowHash, rowKey, decimalToUnits, unitsToDecimal } from './canonical-row';
export type * from './ports';
