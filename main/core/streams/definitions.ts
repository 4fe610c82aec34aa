/**
 * The streams ml-connector moves from Sage Intacct to Tableau: one readonly entry each.
 *
 * Field names follow Intacct's (../shared/reference/intacct-xml.md §5); the column name in Tableau
 * is the Intacct field name, so a controller can match it to Intacct's own reports. Money is
 * NUMERIC(18,2); WHENMODIFIED is a UTC TIMESTAMP. MEGAENTITYID carries the owning entity so Tableau
 * can split a multi-entity company.
 */
import { columnNameOf } from './extra-fields';
import type { ColumnDef, ColumnType, StreamDefinition } from './types';

const col = (source: string, type: ColumnType, nullable = true, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name: columnNameOf(source),
  source,
  type,
  nullable,
  ...(type === 'numeric' ? { precision: 18, scale: 2 } : {}),
  ...extra,
});
const money = (source: string, nullable = true) => col(source, 'numeric', nullable);
const recordNo = col('RECORDNO', 'bigint', false);
const whenModified = col('WHENMODIFIED', 'timestamp', false);
const whenCreated = col('WHENCREATED', 'timestamp');
const entity = col('MEGAENTITYID', 'text');

const common = {
  primaryKey: ['RECORDNO'],
  cursorColumn: 'WHENMODIFIED',
  recordNoColumn: 'RECORDNO',
  pageSize: 2000, // `query` maximum (intacct-xml.md §4.3, §6)
  lookbackMinutes: 60,
  filters: [],
  enabledByDefault: true,
} as const;

export const streamDefinitions: readonly StreamDefinition[] = [
  {
    ...common,
    name: 'gl_account',
    label: 'GL accounts',
    intacctObject: 'GLACCOUNT',
    columns: [
      recordNo, col('ACCOUNTNO', 'text', false), col('TITLE', 'text'), col('ACCOUNTTYPE', 'text'),
      col('NORMALBALANCE', 'text'), col('CLOSINGTYPE', 'text'), col('CATEGORY', 'text'), col('STATUS', 'text'),
      entity, whenCreated, whenModified,
    ],
    target: { datasource: 'Intacct GL Accounts' },
    deletes: { kind: 'audit-history', objectType: 'glaccount' },
  },
  {
    ...common,
    name: 'vendor',
    label: 'Vendors',
    intacctObject: 'VENDOR',
    columns: [
      recordNo, col('VENDORID', 'text', false), col('NAME', 'text'), col('STATUS', 'text'), col('VENDTYPE', 'text'),
      col('TERMNAME', 'text'), col('CURRENCY', 'text'), money('CREDITLIMIT'), money('TOTALDUE'), col('ONHOLD', 'bool'),
      entity, whenCreated, whenModified,
    ],
    target: { datasource: 'Intacct Vendors' },
    deletes: { kind: 'audit-history', objectType: 'vendor' },
  },
  {
    ...common,
    name: 'department',
    label: 'Departments',
    intacctObject: 'DEPARTMENT',
    columns: [recordNo, col('DEPARTMENTID', 'text', false), col('TITLE', 'text'), col('PARENTID', 'text'), col('STATUS', 'text'), whenCreated, whenModified],
    target: { datasource: 'Intacct Departments' },
    deletes: { kind: 'audit-history', objectType: 'department' },
  },
  {
    ...common,
    name: 'location',
    label: 'Locations',
    intacctObject: 'LOCATION',
    columns: [recordNo, col('LOCATIONID', 'text', false), col('NAME', 'text'), col('PARENTID', 'text'), col('STATUS', 'text'), whenCreated, whenModified],
    target: { datasource: 'Intacct Locations' },
    deletes: { kind: 'audit-history', objectType: 'location' },
  },
  {
    ...common,
    name: 'ap_bill',
    label: 'AP bills',
    intacctObject: 'APBILL',
    columns: [
      recordNo, col('RECORDID', 'text'), col('VENDORID', 'text', false), col('VENDORNAME', 'text'), col('DOCNUMBER', 'text'),
      col('DESCRIPTION', 'text'), col('STATE', 'text'), col('WHENPOSTED', 'date'), col('WHENDUE', 'date'), col('WHENPAID', 'date'),
      money('TOTALENTERED'), money('TOTALPAID'), money('TOTALDUE'), col('CURRENCY', 'text'), entity, whenCreated, whenModified,
    ],
    target: { datasource: 'Intacct AP Bills' },
    deletes: { kind: 'audit-history', objectType: 'apbill' },
  },
  {
    ...common,
    name: 'ap_bill_line',
    label: 'AP bill lines',
    intacctObject: 'APBILLITEM',
    columns: [
      recordNo, col('RECORDKEY', 'bigint', false), col('LINE_NO', 'bigint'), col('ACCOUNTNO', 'text'), money('AMOUNT'),
      col('DEPARTMENTID', 'text'), col('LOCATIONID', 'text'), col('ENTRYDESCRIPTION', 'text'), whenCreated, whenModified,
    ],
    target: { datasource: 'Intacct AP Bill Lines' },
    // Line objects are not in AUDITHISTORY (intacct-xml.md §5 "Deletes").
    deletes: { kind: 'key-reconciliation' },
  },
  {
    ...common,
    name: 'ap_payment',
    label: 'AP payments',
    intacctObject: 'APPYMT',
    columns: [
      recordNo, col('VENDORID', 'text'), col('PAYMENTMETHOD', 'text'), col('PAYMENTDATE', 'date'), col('DOCNUMBER', 'text'),
      col('DESCRIPTION', 'text'), col('STATE', 'text'), col('FINANCIALENTITY', 'text'), money('TOTALENTERED'), col('CURRENCY', 'text'),
      whenCreated, whenModified,
    ],
    target: { datasource: 'Intacct AP Payments' },
    deletes: { kind: 'audit-history', objectType: 'appymt' },
  },
  {
    ...common,
    name: 'ap_payment_detail',
    label: 'AP payment-to-bill links',
    intacctObject: 'APPYMTDETAIL',
    columns: [
      recordNo, col('PAYMENTKEY', 'bigint', false), col('RECORDKEY', 'bigint'), col('ENTRYKEY', 'bigint'), money('PAYMENTAMOUNT'),
      col('PAYMENTDATE', 'date'), col('STATE', 'text'), whenCreated, whenModified,
    ],
    target: { datasource: 'Intacct AP Payment Details' },
    deletes: { kind: 'key-reconciliation' },
  },
  {
    ...common,
    name: 'gl_detail',
    label: 'GL detail',
    intacctObject: 'GLDETAIL',
    columns: [
      recordNo, col('BATCH_DATE', 'date', false), col('BATCH_NO', 'bigint'), col('BATCH_TITLE', 'text'), col('JOURNAL', 'text'),
      col('BOOKID', 'text', false), col('MODULEKEY', 'text'), col('LINE_NO', 'bigint'), col('ENTRY_DATE', 'date'),
      col('ACCOUNTNO', 'text', false), col('ACCOUNTTITLE', 'text'), money('AMOUNT', false), money('DEBITAMOUNT'), money('CREDITAMOUNT'),
      col('TR_TYPE', 'bigint'), col('CURRENCY', 'text'), col('DEPARTMENTID', 'text'), col('LOCATIONID', 'text'), col('VENDORID', 'text'),
      col('DESCRIPTION', 'text'), col('STATE', 'text'), entity, whenCreated, whenModified,
    ],
    target: { datasource: 'Intacct GL Detail' },
    // Always one book, or amounts double up across ACCRUAL/CASH (intacct-xml.md §5 GLDETAIL notes).
    filters: [{ field: 'BOOKID', op: 'equalto', value: 'ACCRUAL', setting: 'glBookId' }],
    // GLDETAIL is a view over GLENTRY lines; deletions are found by key reconciliation.
    deletes: { kind: 'key-reconciliation' },
    backfillDateColumn: 'BATCH_DATE',
    tieOut: { amountColumn: 'AMOUNT', accountColumn: 'ACCOUNTNO', dateColumn: 'BATCH_DATE' },
  },
];

/** The definition of one stream; throws for an unknown name. */
export function streamByName(name: string): StreamDefinition {
  const def = streamDefinitions.find((s) => s.name === name);
  if (!def) throw new RangeError(`Unknown stream "${name}". Known: ${streamDefinitions.map((s) => s.name).join(', ')}`);
  return def;
}
