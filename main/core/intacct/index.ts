/**
 * The Sage Intacct XML gateway client (docs/architecture.md): import from here.
 */
export { createIntacctClient, DEFAULT_INTACCT_ENDPOINT, DEFAULT_TIMEOUT_MS, MAX_CONCURRENCY, zoneFromUserFormatting } from './intacct-client';
export type {
  DeletedRecord,
  FieldInfo,
  IntacctClient,
  IntacctClientOptions,
  IntacctCredentials,
  IntacctSessionInfo,
  KeysetCursor,
  Page,
  ReadSpec,
} from './intacct-types';
export {
  classifyIntacctError,
  decodeSupportId,
  IntacctAuthError,
  IntacctError,
  IntacctPermissionError,
  IntacctRateLimitError,
  IntacctSessionExpiredError,
  parseInvalidFields,
  type IntacctErrorDetail,
  type IntacctErrorInfo,
  type IntacctErrorLevel,
} from './intacct-errors';
export { buildRequest, el, escapeXml, getApiSessionFunction, lookupFunction, readUserFormattingFunction } from './request-envelope';
export type { EnvelopeInit, FunctionCall, LoginAuth, SessionAuth } from './request-envelope';
export { buildQuery, f, renderFilter, MAX_IN_VALUES } from './query-builder';
export type { AggregateField, CompareOp, QueryFilter, QuerySpec } from './query-builder';
export { createIntacctXmlParser, parseResponse, recordValue, resultOrThrow } from './response-parser';
export type { AuthenticationBlock, DataBlock, HttpAnswer, IntacctResult, ParsedResponse } from './response-parser';
export { compileColumn, formatUtc, normalizeDecimal, parseIntacctDate, resolveZone, toIntacctDate, ZoneConverter } from './intacct-values';
export { buildReadFilter, parseObjectKey, splitRange } from './intacct-reader';
export { isIntacctHost, MAX_SESSION_AGE_MS } from './intacct-session';
