/**
 * CSV for the audit trail export (RFC 4180: comma separated, CRLF line ends, fields quoted when
 * they hold a comma, quote, CR or LF, quotes doubled).
 */
import type { AuditEntry } from '../../../shared/types';

/**
 * The export's columns, in order. `at` is written as an ISO-8601 UTC timestamp. The search words
 * (document number, vendor, journal: streams/audit-labels.ts, store migration 6) come last, so a
 * script reading the older ten columns by position still reads them; entries written before
 * migration 6 leave them empty (the trail kept only keys and hashes then, so there is nothing to
 * backfill them from).
 */
export const auditCsvColumns = [
  'run_id',
  'stream',
  'record_key',
  'when_modified',
  'content_hash',
  'action',
  'request_id',
  'job_id',
  'result',
  'at',
  'document',
  'vendor',
  'journal',
] as const;

/**
 * One CSV field. Finance users open these files in Excel, so a text that would start a formula
 * (=, +, @, tab, CR) is prefixed with an apostrophe (OWASP "CSV injection"); '-' is left alone
 * because negative numbers are legitimate values.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header line, with its CRLF. */
export function auditCsvHeader(): string {
  return `${auditCsvColumns.join(',')}\r\n`;
}

/** One entry as a CSV line, with its CRLF. */
export function auditCsvLine(e: AuditEntry): string {
  return (
    [
      csvField(e.runId),
      csvField(e.stream),
      csvField(e.recordKey),
      csvField(e.whenModified),
      csvField(e.contentHash),
      csvField(e.action),
      csvField(e.requestId),
      csvField(e.jobId),
      csvField(e.result),
      csvField(new Date(e.at).toISOString()),
      csvField(e.document),
      csvField(e.vendor),
      csvField(e.journal),
    ].join(',') + '\r\n'
  );
}
