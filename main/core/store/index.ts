/**
 * The local store (docs/architecture.md): checkpoints, runs, log and audit trail in one SQLite file.
 */
export { openStore, type OpenStoreOptions } from './open-store';
export { importLegacyLedger, type LedgerImport } from './import-ledger';
export { checkDatabaseFile, databaseOpenError, DatabaseFileError } from './check-database';
export { migrate, migrations, latestSchemaVersion, schemaVersionOf, type Migration } from './migrations';
export { newStreamState, upgradeStreamState, streamStateVersion, type LegacyMeta } from './stream-state';
export { interruptedRunMessage } from './runs';
export { auditCsvColumns, csvField } from './audit-csv';
export type * from './types';
