/**
 * Validates what a front end sends before it reaches the service.
 *
 * Payloads from the renderer (over IPC) or from a browser (over HTTP) are untrusted input
 * (Electron security checklist item 17, https://www.electronjs.org/docs/latest/tutorial/security): each operation's request is
 * checked against a schema here, once, and both the IPC handlers and the HTTP server use it.
 * Settings are only checked for shape here; the service validates their content field by field.
 */
import { z } from 'zod';
import { OPERATIONS, type Operation, type RequestOf } from '../../../shared/ipc-contract';
import { secretNames, type StreamName } from '../../../shared/types';
import { streamDefinitions } from '../streams/definitions';

const streamName = z.enum(streamDefinitions.map((s) => s.name) as [StreamName, ...StreamName[]]);
const secretName = z.enum(secretNames as unknown as [string, ...string[]]);
const none = z.union([z.undefined(), z.null()]).transform(() => undefined);
const limit = z.number().int().min(1).max(10_000).optional();
const auditQuery = z
  .object({
    runId: z.string().max(200).optional(),
    stream: streamName.optional(),
    recordKey: z.string().max(200).optional(),
    document: z.string().max(200).optional(),
    vendor: z.string().max(200).optional(),
    journal: z.string().max(200).optional(),
    limit,
  })
  .strict();

const schemas: Record<Operation, z.ZodType> = {
  getStatus: none,
  syncNow: z.union([none, z.object({ streams: z.array(streamName).max(20).optional(), fullReload: z.array(streamName).max(20).optional() }).strict()]),
  cancelSync: none,
  getSettings: none,
  saveSettings: z.record(z.string(), z.unknown()),
  // A secret is a non-empty string of sane length; it is never echoed back.
  setCredential: z.object({ name: secretName, value: z.string().min(1).max(4096) }).strict(),
  clearCredential: z.object({ name: secretName }).strict(),
  getCredentialStatus: none,
  testConnection: z
    .object({
      side: z.enum(['intacct', 'tableau']),
      // Shape only, as for saveSettings: the service validates the draft's content.
      draft: z.record(z.string(), z.unknown()).optional(),
      secrets: z.partialRecord(secretName, z.string().max(4096)).optional(),
      confirmEndpointChange: z.boolean().optional(),
    })
    .strict(),
  listFields: z.object({ stream: streamName }).strict(),
  estimateFullLoad: z.union([none, z.object({ streams: z.array(streamName).max(20).optional() }).strict()]),
  listRuns: z.union([none, z.object({ limit }).strict()]),
  getRun: z.object({ runId: z.string().min(1).max(200) }).strict(),
  queryLogs: z.union([
    none,
    z
      .object({
        level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
        runId: z.string().max(200).optional(),
        stream: streamName.optional(),
        search: z.string().max(500).optional(),
        limit,
        beforeId: z.number().int().optional(),
      })
      .strict(),
  ]),
  queryAudit: auditQuery,
  exportAudit: auditQuery,
  getHistory: z.union([none, z.object({ limit }).strict()]),
  previewSchedule: z.object({ schedule: z.record(z.string(), z.unknown()), count: z.number().int().min(1).max(50).optional() }).strict(),
  setSchedulePaused: z.object({ paused: z.boolean() }).strict(),
  exportSupportBundle: none,
  sendTestAlert: z.union([
    none,
    z
      .object({
        // Shape only, as for saveSettings: the service validates the draft's alert settings.
        draft: z.record(z.string(), z.unknown()).optional(),
        secrets: z
          .object({ smtpPassword: z.string().max(4096).optional(), alertWebhookUrl: z.string().max(4096).optional() })
          .strict()
          .optional(),
      })
      .strict(),
  ]),
  requestFullReload: z.object({ stream: streamName }).strict(),
  resetDemo: none,
};

/** Thrown for a malformed request; `issues` is safe to show (it never echoes values). */
export class InvalidRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly issues: string[],
  ) {
    super(`Invalid request for ${operation}: ${issues.join('; ')}`);
    this.name = 'InvalidRequestError';
  }
}

/** Checks `payload` for operation `op` and returns it typed; throws InvalidRequestError otherwise. */
export function validateRequest<O extends Operation>(op: O, payload: unknown): RequestOf<O> {
  if (!(OPERATIONS as readonly string[]).includes(op)) throw new InvalidRequestError(String(op), ['unknown operation']);
  const result = schemas[op].safeParse(payload);
  if (!result.success) {
    // Paths and messages only: a rejected payload may hold a secret, so values are never repeated.
    throw new InvalidRequestError(
      op,
      result.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`),
    );
  }
  return result.data as RequestOf<O>;
}
