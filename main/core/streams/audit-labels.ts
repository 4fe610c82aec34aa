/**
 * What an accountant searches the audit trail by (issue #14, "search by document number, vendor
 * and journal as well as key"), read from a record's row by column name: the document number
 * (RECORDID, the bill or payment number, and DOCNUMBER, the reference: intacct-objects.md), the
 * vendor (VENDORID and VENDORNAME; on the vendor table itself its ID and NAME) and the journal
 * (GL detail's SYMBOL with its BATCH_TITLE: GLDETAIL has no JOURNAL field, definitions.ts).
 */
import type { Row, StreamDefinition } from './types';

export interface AuditLabels {
  document: string | null;
  vendor: string | null;
  journal: string | null;
}

/** The cells present and not empty, joined by ' · ' (null when none). */
function cells(row: Row, names: readonly string[]): string | null {
  const values = names
    .map((n) => row[n])
    .filter((v) => v !== null && v !== undefined && String(v).trim() !== '')
    .map((v) => String(v).trim());
  return values.length ? [...new Set(values)].join(' · ') : null;
}

/** The search words of one record of `def`. */
export function auditLabelsOf(def: StreamDefinition, row: Row): AuditLabels {
  return {
    document: cells(row, ['RECORDID', 'DOCNUMBER']),
    vendor: def.name === 'vendor' ? cells(row, ['VENDORID', 'NAME']) : cells(row, ['VENDORID', 'VENDORNAME']),
    journal: cells(row, ['SYMBOL', 'BATCH_TITLE']),
  };
}
