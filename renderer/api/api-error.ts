/**
 * The error the renderer sees when an operation fails, whichever transport carried it.
 */
import type { ErrorInfo } from '../../shared/types';

/** A failed operation: `info.message` is written for the user (what failed, what to do). */
export class ApiCallError extends Error {
  readonly info: ErrorInfo;
  /** Field-level messages (dotted paths) when the service rejected a payload. */
  readonly fields: Record<string, string> | undefined;

  constructor(info: ErrorInfo, fields?: Record<string, string>) {
    super(info.message);
    this.name = 'ApiCallError';
    this.info = info;
    this.fields = fields;
  }
}

/** The user-facing message of anything thrown by an API call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiCallError) return err.info.message;
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong. See Logs for details.';
}
