/**
 * The streams ml-connector moves from Sage Intacct to Tableau: one readonly entry each.
 *
 * Every field is one the recorded Intacct catalog has, with a compatible type
 * (docs/reference/intacct-objects.json; test/unit/core/streams/catalog-fields.test.ts checks it):
 * a field Intacct lacks fails the whole query. The column name in Tableau is the Intacct field
 * name, so a controller can match it to Intacct's own reports. Money is NUMERIC(18,2) in base
 * currency (AMOUNT, TOTAL*) with the transaction-currency amounts (TRX_*) beside it; WHENMODIFIED
 * is a UTC TIMESTAMP. WHENCREATED is a DATE (the document date) on GLDETAIL, APBILL and APPYMT and
 * a TIMESTAMP elsewhere (intacct-objects.md "WHENMODIFIED / WHENCREATED"). RECORDNO is an integer
 * everywhere but GLDETAIL, where it is text.
 */
import { columnNameOf, withExtraFields } from './extra-fields';
import type { Settings, StreamName } from '../../../shared/types';
import type { ColumnDef, ColumnType, StreamDefinition } from './types';

const col = (source: string, type: ColumnType, nullable = true, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name: columnNameOf(source),
  source,
  type,
  nullable,
  ...(type === 'numeric' ? { precision: 18, scale: 2 } : {}),
  ...extra,
});
const text = (...sources: string[]) => sources.map((s) => col(s, 'text'));
const money = (source: string, nullable = true) => col(source, 'numeric', nullable);
/** An exchange rate: more decimals than money. */
const rate = (source: string) => col(source, 'numeric', true, { precision: 18, scale: 8 });
const recordNo = col('RECORDNO', 'bigint', false);
// Nullable: Intacct creates some records with an empty WHENMODIFIED (intacct-xml.md §9).
const whenModified = col('WHENMODIFIED', 'timestamp');
const createdAt = col('WHENCREATED', 'timestamp');
const documentDate = col('WHENCREATED', 'date');
const entity = text('MEGAENTITYID', 'MEGAENTITYNAME');
/** The standard dimensions with their names, as GLDETAIL and APBILLITEM carry them. */
const dimensions = [
  ...text('CLASSID', 'CLASSNAME', 'PROJECTID', 'PROJECTNAME', 'CUSTOMERID', 'CUSTOMERNAME', 'VENDORID', 'VENDORNAME'),
  ...text('EMPLOYEEID', 'EMPLOYEENAME', 'ITEMID', 'ITEMNAME', 'WAREHOUSEID', 'WAREHOUSENAME'),
];

/**
 * Readable labels for the one-letter STATE codes `query` returns on AP payments and GL detail
 * (intacct-objects.md "Value shapes"). The payment codes are the readByQuery STATE codes
 * intacct-xml.md §4.1 lists (C posted, D, A, V, S), named after the payment states Intacct's AP
 * payment reference gives; the GL letters follow the GL batch states (§5). Both mappings are
 * UNCONFIRMED letter by letter, so a code not listed is shown as it came, never guessed.
 */
const PAYMENT_STATES = { C: 'Posted', D: 'Draft', A: 'Approved', V: 'Voided', S: 'Submitted' } as const;
const GL_STATES = { P: 'Posted', D: 'Draft', S: 'Submitted', A: 'Approved' } as const;
const stateLabel = (labels: Readonly<Record<string, string>>) => col('STATE', 'text', true, { name: 'STATE_LABEL', labels });

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
      recordNo,
      col('ACCOUNTNO', 'text', false),
      ...text('TITLE', 'ACCOUNTTYPE', 'NORMALBALANCE', 'CLOSINGTYPE', 'CATEGORY', 'STATUS'),
      ...entity,
      createdAt,
      whenModified,
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
      recordNo,
      col('VENDORID', 'text', false),
      ...text('NAME', 'STATUS', 'VENDTYPE', 'TERMNAME', 'CURRENCY'),
      money('CREDITLIMIT'),
      money('TOTALDUE'),
      col('ONHOLD', 'bool'),
      ...entity,
      createdAt,
      whenModified,
    ],
    target: { datasource: 'Intacct Vendors' },
    deletes: { kind: 'audit-history', objectType: 'vendor' },
  },
  {
    ...common,
    name: 'department',
    label: 'Departments',
    intacctObject: 'DEPARTMENT',
    columns: [recordNo, col('DEPARTMENTID', 'text', false), ...text('TITLE', 'PARENTID', 'SUPERVISORNAME', 'STATUS'), createdAt, whenModified],
    target: { datasource: 'Intacct Departments' },
    deletes: { kind: 'audit-history', objectType: 'department' },
  },
  {
    ...common,
    name: 'location',
    label: 'Locations',
    intacctObject: 'LOCATION',
    // No MEGAENTITY* on LOCATION: ENTITY is the parent entity, LOCATIONTYPE E marks an entity (intacct-objects.md).
    // FIRSTMONTH ("First fiscal month", TEXT, 1..12 or null) is where the models read the fiscal year
    // start (main/core/models/fiscal-year-source.ts); kept as TEXT, as the catalog types it.
    columns: [
      recordNo,
      col('LOCATIONID', 'text', false),
      ...text('NAME', 'PARENTID', 'STATUS', 'ENTITY', 'ENTITYNAME', 'LOCATIONTYPE', 'CURRENCY', 'FIRSTMONTH'),
      createdAt,
      whenModified,
    ],
    target: { datasource: 'Intacct Locations' },
    deletes: { kind: 'audit-history', objectType: 'location' },
  },
  {
    ...common,
    name: 'class',
    label: 'Classes',
    intacctObject: 'CLASS',
    columns: [recordNo, col('CLASSID', 'text', false), ...text('NAME', 'DESCRIPTION', 'PARENTID', 'STATUS'), ...entity, createdAt, whenModified],
    target: { datasource: 'Intacct Classes' },
    deletes: { kind: 'audit-history', objectType: 'class' },
  },
  {
    ...common,
    name: 'employee',
    label: 'Employees',
    intacctObject: 'EMPLOYEE',
    // EMPLOYEE was recorded without DATATYPEs: only fields whose type follows from the recorded
    // values are used (intacct-objects.json EMPLOYEE valueShapes), no personal data.
    columns: [
      recordNo,
      col('EMPLOYEEID', 'text', false),
      ...text('CONTACT_NAME', 'TITLE', 'DEPARTMENTID', 'LOCATIONID', 'STATUS', 'EMPLOYEETYPE', 'CLASSID', 'CURRENCY'),
      col('STARTDATE', 'date'),
      col('ENDDATE', 'date'),
      ...entity,
      createdAt,
      whenModified,
    ],
    target: { datasource: 'Intacct Employees' },
    deletes: { kind: 'audit-history', objectType: 'employee' },
  },
  {
    ...common,
    name: 'ap_bill',
    label: 'AP bills',
    intacctObject: 'APBILL',
    columns: [
      recordNo,
      ...text('RECORDID'),
      col('VENDORID', 'text', false),
      ...text('VENDORNAME', 'DOCNUMBER', 'DESCRIPTION', 'STATE', 'TERMNAME'),
      col('WHENPOSTED', 'date'),
      col('WHENDUE', 'date'),
      col('WHENPAID', 'date'),
      money('TOTALENTERED'),
      money('TOTALPAID'),
      money('TOTALDUE'),
      money('TRX_TOTALENTERED'),
      money('TRX_TOTALPAID'),
      money('TRX_TOTALDUE'),
      ...text('CURRENCY', 'BASECURR'),
      rate('EXCHANGE_RATE'),
      ...entity,
      documentDate,
      whenModified,
    ],
    target: { datasource: 'Intacct AP Bills' },
    deletes: { kind: 'audit-history', objectType: 'apbill' },
  },
  {
    ...common,
    name: 'ap_bill_line',
    label: 'AP bill lines',
    intacctObject: 'APBILLITEM',
    // LINE_NO is TEXT on APBILLITEM (intacct-objects.md "AP objects"); no MEGAENTITY*: the entity comes through LOCATIONID.
    columns: [
      recordNo,
      col('RECORDKEY', 'bigint', false),
      ...text('LINE_NO', 'ACCOUNTNO', 'ACCOUNTTITLE'),
      money('AMOUNT'),
      money('TRX_AMOUNT'),
      ...text('CURRENCY', 'BASECURR', 'DEPARTMENTID', 'DEPARTMENTNAME', 'LOCATIONID', 'LOCATIONNAME', 'ENTRYDESCRIPTION'),
      ...dimensions,
      col('ENTRY_DATE', 'date'),
      createdAt,
      whenModified,
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
    // APPYMT has no PAYMENTDATE: the payment's date is WHENCREATED, a DATE labelled "Date" (intacct-objects.md).
    columns: [
      recordNo,
      ...text('VENDORID', 'VENDORNAME', 'PAYMENTMETHOD', 'DOCNUMBER', 'DESCRIPTION', 'STATE', 'FINANCIALENTITY'),
      stateLabel(PAYMENT_STATES),
      col('WHENPAID', 'date'),
      col('WHENPOSTED', 'date'),
      money('TOTALENTERED'),
      money('TRX_TOTALENTERED'),
      ...text('CURRENCY', 'BASECURR'),
      rate('EXCHANGE_RATE'),
      ...entity,
      documentDate,
      whenModified,
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
      recordNo,
      col('PAYMENTKEY', 'bigint', false),
      col('RECORDKEY', 'bigint'),
      col('ENTRYKEY', 'bigint'),
      money('PAYMENTAMOUNT'),
      money('TRX_PAYMENTAMOUNT'),
      money('DISCOUNTAMOUNT'),
      // Credits applied to the bill: an inline credit (a negative bill, INLINEKEY its RECORDNO) or an
      // AP adjustment (ADJUSTMENTKEY); base and transaction amounts (intacct-objects.md "AP objects").
      col('INLINEKEY', 'bigint'),
      money('INLINEAMOUNT'),
      money('TRX_INLINEAMOUNT'),
      col('ADJUSTMENTKEY', 'bigint'),
      money('ADJUSTMENTAMOUNT'),
      money('TRX_ADJUSTMENTAMOUNT'),
      col('PAYMENTDATE', 'date'),
      ...text('CURRENCY', 'STATE'),
      createdAt,
      whenModified,
    ],
    target: { datasource: 'Intacct AP Payment Details' },
    deletes: { kind: 'key-reconciliation' },
  },
  {
    ...common,
    name: 'gl_detail',
    label: 'GL detail',
    intacctObject: 'GLDETAIL',
    // RECORDNO is text here (`3220-55186-27290--accrual`); the journal is SYMBOL (there is no
    // JOURNAL field); no MEGAENTITY*: the owning entity comes through LOCATIONID and CHILDENTITY
    // (intacct-objects.md "GLDETAIL specifics").
    columns: [
      col('RECORDNO', 'text', false),
      col('BATCH_DATE', 'date', false),
      col('BATCH_NO', 'bigint'),
      ...text('BATCH_TITLE', 'SYMBOL'),
      col('BOOKID', 'text', false),
      col('MODULEKEY', 'text'),
      col('LINE_NO', 'bigint'),
      col('ENTRY_DATE', 'date'),
      col('ACCOUNTNO', 'text', false),
      col('ACCOUNTTITLE', 'text'),
      money('AMOUNT', false),
      money('DEBITAMOUNT'),
      money('CREDITAMOUNT'),
      money('TRX_AMOUNT'),
      money('TRX_DEBITAMOUNT'),
      money('TRX_CREDITAMOUNT'),
      col('TR_TYPE', 'bigint'),
      ...text('CURRENCY', 'BASECURR'),
      ...text('DEPARTMENTID', 'DEPARTMENTTITLE', 'LOCATIONID', 'LOCATIONNAME', 'CHILDENTITY'),
      ...dimensions,
      ...text('DESCRIPTION', 'DOCNUMBER', 'STATE'),
      stateLabel(GL_STATES),
      documentDate,
      whenModified,
    ],
    target: { datasource: 'Intacct GL Detail' },
    // Always one book, or amounts double up across ACCRUAL/CASH (intacct-xml.md §5 GLDETAIL notes).
    filters: [{ field: 'BOOKID', op: 'equalto', value: 'ACCRUAL', setting: 'glBookId' }],
    // GLDETAIL is a view over GLENTRY lines; deletions are found by key reconciliation.
    deletes: { kind: 'key-reconciliation' },
    backfillDateColumn: 'BATCH_DATE',
    // Base-currency AMOUNT: a multi-currency company ties out in base currency.
    tieOut: { amountColumn: 'AMOUNT', accountColumn: 'ACCOUNTNO', dateColumn: 'BATCH_DATE' },
  },
];

/** The definition of one stream; throws for an unknown name. */
export function streamByName(name: string): StreamDefinition {
  const def = streamDefinitions.find((s) => s.name === name);
  if (!def) throw new RangeError(`Unknown stream "${name}". Known: ${streamDefinitions.map((s) => s.name).join(', ')}`);
  return def;
}

/**
 * The streams `names` (default: those the settings enable), in definition order, as a run syncs
 * them: each with the fields the user added to it (Settings › Streams).
 */
export function syncedDefinitions(settings: Pick<Settings, 'streams'>, names?: readonly StreamName[]): StreamDefinition[] {
  return streamDefinitions
    .filter((d) => (names?.length ? names.includes(d.name) : settings.streams.enabled[d.name]))
    .map((d) => withExtraFields(d, settings.streams.extraFields?.[d.name]));
}
