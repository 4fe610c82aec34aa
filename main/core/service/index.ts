/**
 * The core service (docs/architecture.md): one object with every operation of shared/ipc-contract.ts.
 */
export { createConnectorService, type ConnectorService, type CoreDeps } from './connector-service';
export { defaultSettings, validateSettings, settingsSchema, configuredSides, DEFAULT_INTACCT_ENDPOINT } from './settings';
export { memorySecretStore, memorySettingsStore, jsonFileSettingsStore, type SecretStore, type SettingsStore } from './stores';
export { defaultFactories, isLoopbackHost, type DefaultFactoryOptions } from './default-factories';
export type { ServiceFactories, SourceClient, TargetClient, IntacctCredentials, TableauAuth } from './runtime';
