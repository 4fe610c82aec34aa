/**
 * The Tableau emulator (docs/architecture.md): a loopback Tableau REST API for tests and the demo.
 */
export { startTableauEmulator } from './tableau-emulator';
export type { TableauEmulator, TableauEmulatorOptions, EmulatorRequestLog } from './tableau-emulator';
export type { TableauFaultConfig, TableauFaultKind } from './faults';
export type { ConnectedAppConfig } from './connected-app-jwt';
export { signConnectedAppJwt } from './connected-app-jwt';
