/**
 * The Sage Intacct emulator (docs/architecture.md): import from here.
 */
export { startIntacctEmulator, LOGIN_PATH, SESSION_PATH } from './intacct-emulator';
export type { EmulatorCredentials, EmulatorRequestLog, IntacctEmulator, IntacctEmulatorOptions } from './intacct-emulator';
export { ALL_FAULT_KINDS, TRANSIENT_ERRORS } from './fault-injection';
export type { FaultConfig, FaultKind } from './fault-injection';
export { SampleCompany } from './sample-company';
export type { RecordPredicate, SampleCompanyOptions } from './sample-company';
export type { IntacctRecord } from './object-catalog';
export { objectNames, objectSpec } from './object-catalog';
export { formatDateTime, formatDate, parseDateTime } from './intacct-dates';
export { decimalToUnits, unitsToDecimal } from './sample-hash';
