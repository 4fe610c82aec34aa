/**
 * Tableau REST client and per-stream loader (docs/architecture.md). Import from here, not from the files.
 */
export { createTableauClient } from './tableau-client';
export type { ServerInfoResult, TableauClient, TableauClientOptions, UpdateAction } from './tableau-client';
export { buildConnectedAppJwt, CONNECTED_APP_SCOPES, signInBody } from './tableau-auth';
export type { TableauAuth } from './tableau-auth';
export { errorFromResponse, isAlreadyQueued, isNotFound, RequestNotResentError, TableauJobFailedError } from './tableau-errors';
export { defaultJobPollPolicy, jobSucceeded } from './tableau-jobs';
export type { JobPollPolicy, WaitForJobOptions } from './tableau-jobs';
export { MAX_CHUNK_BYTES, planBlocks, SINGLE_CALL_LIMIT_BYTES } from './tableau-upload';
export type { PublishOptions, PublishResult, UploadOptions } from './tableau-upload';
export { MAX_API_VERSION, MIN_API_VERSION, normaliseServerUrl } from './tableau-version';
export type { DatasourceInfo, ProjectInfo, TableauJob } from './tableau-xml';
export { buildUpdateActions, isDatasourceMissing, keyCondition, loadBatch } from './loader';
export type { LoadBatch, LoadOptions, LoadPhase, LoadResult } from './loader';
