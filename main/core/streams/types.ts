/**
 * How a stream is described: as data. One generic engine reads, writes and
 * loads every stream from these facts; adding an object means adding an entry, not a class.
 */

import type { FieldType } from '../../../shared/types';

/** Column types, mapped 1:1 to Hyper types (BIGINT, TEXT, NUMERIC(p,s), DATE, TIMESTAMP, BOOL). */
export type ColumnType = FieldType;

/**
 * One cell as it travels through the connector. Exact by construction:
 * - bigint    → number (a safe integer; RECORDNOs fit)
 * - text      → string
 * - numeric   → string holding an exact decimal, canonical form `-?\d+(\.\d+)?` (never a float)
 * - date      → string `YYYY-MM-DD`
 * - timestamp → string `YYYY-MM-DD HH:MM:SS`, always UTC
 * - bool      → boolean
 * - null      → SQL NULL (Intacct's empty elements)
 */
export type CellValue = string | number | boolean | null;
export type Row = Readonly<Record<string, CellValue>>;

export interface ColumnDef {
  /** Column name in Tableau (and the key of the Row). */
  readonly name: string;
  /** Intacct field to select (may be a custom field or a one-hop related field like `JOURNAL.SYMBOL`). */
  readonly source: string;
  readonly type: ColumnType;
  /** For numeric: precision and scale (money is NUMERIC(18,2) unless stated). */
  readonly precision?: number;
  readonly scale?: number;
  readonly nullable: boolean;
  /** Added by the user (Settings › Streams › Extra fields), not part of the stream definition. */
  readonly extra?: boolean;
  /** For a text column holding a code: the code's readable label (unknown codes pass through). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A fixed filter every read of the stream applies (e.g. GLDETAIL always for one BOOKID). */
export interface FixedFilter {
  readonly field: string;
  readonly op: 'equalto' | 'notequalto' | 'in';
  readonly value: string | readonly string[];
  /** Which setting may override the value (e.g. 'glBookId'). */
  readonly setting?: string;
}

/** How deletions in Intacct are detected for this stream (see README "Deletions"). */
export type DeleteDetection =
  /** Intacct's AUDITHISTORY, filtered on OBJECTTYPE and ACCESSMODE = delete. */
  | { readonly kind: 'audit-history'; readonly objectType: string }
  /** Line objects are not audited: compare the key sets of Intacct and Tableau. */
  | { readonly kind: 'key-reconciliation' };

import type { StreamName } from '../../../shared/types';
export type { StreamName };

export interface StreamDefinition {
  readonly name: StreamName;
  /** What a finance user calls it. */
  readonly label: string;
  readonly intacctObject: string;
  /** Column names (not sources) that identify a row. */
  readonly primaryKey: readonly string[];
  /** Column name of the Intacct WHENMODIFIED column. */
  readonly cursorColumn: string;
  /** Column name of the Intacct RECORDNO column, the keyset tie-breaker. */
  readonly recordNoColumn: string;
  readonly columns: readonly ColumnDef[];
  /** Default name of the Tableau published data source (overridable in settings). */
  readonly target: { readonly datasource: string };
  readonly pageSize: number;
  /** Re-read this far behind the checkpoint: Intacct's API is not always up to date at once. */
  readonly lookbackMinutes: number;
  readonly filters: readonly FixedFilter[];
  readonly deletes: DeleteDetection;
  /** The stream's full load starts at the GL-detail start date setting (column holding the date). */
  readonly backfillDateColumn?: string;
  /** Amount column summed per account and period in the tie-out. */
  readonly tieOut?: { readonly amountColumn: string; readonly accountColumn: string; readonly dateColumn: string };
  /** Whether the stream is on by default. */
  readonly enabledByDefault: boolean;
}
