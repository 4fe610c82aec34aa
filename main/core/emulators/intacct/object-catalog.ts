/**
 * The objects the emulator serves and their fields, as `lookup` reports them (intacct-xml.md §4.3,
 * §5). Field lists follow §5's tables; custom fields (`ISCUSTOM`) include a user-defined dimension
 * on GL detail (GLDIMPROGRAM) and a vendor custom field, so schema discovery has something to find.
 */

/** `lookup` DATATYPE values the emulator uses. */
export type FieldType = 'INTEGER' | 'TEXT' | 'DECIMAL' | 'DATE' | 'TIMESTAMP' | 'BOOLEAN';

/** One field as `lookup` reports it. */
export interface FieldSpec {
  readonly id: string;
  readonly label: string;
  readonly type: FieldType;
  readonly custom?: boolean;
  readonly validValues?: readonly string[];
}

/** One object the emulator serves. */
export interface ObjectSpec {
  readonly name: string;
  /** Written to AUDITHISTORY on add/edit/delete (line objects are not audited, §5 "Deletes"). */
  readonly audited: boolean;
  /** `OBJECTTYPE` in AUDITHISTORY: the object name in lower case (§5). */
  readonly auditType: string;
  readonly fields: readonly FieldSpec[];
  readonly relationships?: readonly { path: string; object: string; relatedBy: string }[];
}

const f = (id: string, type: FieldType, label = id, extra: Partial<FieldSpec> = {}): FieldSpec => ({ id, label, type, ...extra });
const audit = [f('WHENCREATED', 'TIMESTAMP', 'When created'), f('WHENMODIFIED', 'TIMESTAMP', 'When modified'), f('CREATEDBY', 'INTEGER', 'Created by'), f('MODIFIEDBY', 'INTEGER', 'Modified by')];
const entity = [f('MEGAENTITYKEY', 'INTEGER', 'Created at - Entity key'), f('MEGAENTITYID', 'TEXT', 'Created at - Entity ID'), f('MEGAENTITYNAME', 'TEXT', 'Created at - Entity name')];
const status = f('STATUS', 'TEXT', 'Status', { validValues: ['active', 'inactive'] });

const objects: ObjectSpec[] = [
  {
    name: 'GLACCOUNT', audited: true, auditType: 'glaccount',
    fields: [
      f('RECORDNO', 'INTEGER', 'Record number'), f('ACCOUNTNO', 'TEXT', 'Primary account'), f('TITLE', 'TEXT', 'Title'),
      f('ACCOUNTTYPE', 'TEXT', 'Account type', { validValues: ['balancesheet', 'incomestatement'] }),
      f('NORMALBALANCE', 'TEXT', 'Normal balance', { validValues: ['debit', 'credit'] }),
      f('CLOSINGTYPE', 'TEXT', 'Period end closing type', { validValues: ['non-closing account', 'closing account'] }),
      f('CLOSINGACCOUNTNO', 'TEXT', 'Close into account'), f('CATEGORY', 'TEXT', 'Category'), status,
      f('REQUIREDEPT', 'BOOLEAN', 'Department required'), f('REQUIRELOC', 'BOOLEAN', 'Location required'),
      ...entity, ...audit,
    ],
  },
  {
    name: 'VENDOR', audited: true, auditType: 'vendor',
    fields: [
      f('RECORDNO', 'INTEGER', 'Record number'), f('VENDORID', 'TEXT', 'Vendor ID'), f('NAME', 'TEXT', 'Vendor name'), f('PARENTID', 'TEXT', 'Parent'),
      status, f('VENDTYPE', 'TEXT', 'Vendor type'), f('TERMNAME', 'TEXT', 'Term'), f('TAXID', 'TEXT', 'Tax ID'),
      f('CREDITLIMIT', 'DECIMAL', 'Credit limit'), f('TOTALDUE', 'DECIMAL', 'Total due'), f('ONHOLD', 'BOOLEAN', 'On hold'),
      f('ONETIME', 'BOOLEAN', 'One-time'), f('CURRENCY', 'TEXT', 'Default currency'), f('APACCOUNT', 'TEXT', 'AP account'),
      f('VENDOR_RISK_RATING', 'TEXT', 'Risk rating', { custom: true, validValues: ['Low', 'Medium', 'High'] }),
      ...entity, ...audit,
    ],
  },
  {
    name: 'DEPARTMENT', audited: true, auditType: 'department',
    fields: [f('RECORDNO', 'INTEGER', 'Record number'), f('DEPARTMENTID', 'TEXT', 'Department ID'), f('TITLE', 'TEXT', 'Department name'), f('PARENTID', 'TEXT', 'Parent department'), status, ...audit],
  },
  {
    name: 'LOCATION', audited: true, auditType: 'location',
    fields: [f('RECORDNO', 'INTEGER', 'Record number'), f('LOCATIONID', 'TEXT', 'Location ID'), f('NAME', 'TEXT', 'Location name'), f('PARENTID', 'TEXT', 'Parent location'), status, ...entity, ...audit],
  },
  {
    name: 'APBILL', audited: true, auditType: 'apbill',
    fields: [
      f('RECORDNO', 'INTEGER', 'Record number'), f('RECORDTYPE', 'TEXT', 'Record type'), f('RECORDID', 'TEXT', 'Bill number'), f('VENDORID', 'TEXT', 'Vendor ID'),
      f('VENDORNAME', 'TEXT', 'Vendor name'), f('DOCNUMBER', 'TEXT', 'Reference number'), f('DESCRIPTION', 'TEXT', 'Description'),
      f('STATE', 'TEXT', 'State', { validValues: ['Draft', 'Posted', 'Partially Paid', 'Paid', 'Selected', 'Reversed'] }),
      f('TERMNAME', 'TEXT', 'Term'), f('WHENPOSTED', 'DATE', 'GL posting date'), f('WHENDUE', 'DATE', 'Due date'), f('WHENPAID', 'DATE', 'Date fully paid'),
      f('TOTALENTERED', 'DECIMAL', 'Total amount'), f('TOTALPAID', 'DECIMAL', 'Total paid'), f('TOTALDUE', 'DECIMAL', 'Total due'),
      f('TRX_TOTALENTERED', 'DECIMAL', 'Transaction total amount'), f('CURRENCY', 'TEXT', 'Transaction currency'), f('BASECURR', 'TEXT', 'Base currency'),
      f('MODULEKEY', 'TEXT', 'Module'), ...entity, ...audit,
    ],
    relationships: [{ path: 'VENDOR', object: 'VENDOR', relatedBy: 'VENDORID' }],
  },
  {
    name: 'APBILLITEM', audited: false, auditType: 'apbillitem',
    fields: [
      f('RECORDNO', 'INTEGER', 'Record number'), f('RECORDKEY', 'INTEGER', 'Bill record number'), f('LINE_NO', 'INTEGER', 'Line number'),
      f('ACCOUNTNO', 'TEXT', 'Account'), f('ACCOUNTTITLE', 'TEXT', 'Account title'), f('AMOUNT', 'DECIMAL', 'Base amount'), f('TRX_AMOUNT', 'DECIMAL', 'Transaction amount'),
      f('DEPARTMENTID', 'TEXT', 'Department'), f('LOCATIONID', 'TEXT', 'Location'), f('ENTRYDESCRIPTION', 'TEXT', 'Memo'), f('VENDORID', 'TEXT', 'Vendor ID'),
      f('ENTRY_DATE', 'DATE', 'Entry date'), f('GLDIMPROGRAM', 'TEXT', 'Program', { custom: true }), ...entity, ...audit,
    ],
  },
  {
    name: 'APPYMT', audited: true, auditType: 'appymt',
    fields: [
      f('RECORDNO', 'INTEGER', 'Record number'), f('PRBATCHKEY', 'INTEGER', 'Summary key'), f('RECORDTYPE', 'TEXT', 'Record type'), f('RECORDID', 'TEXT', 'Payment number'),
      f('VENDORID', 'TEXT', 'Vendor ID'), f('VENDORNAME', 'TEXT', 'Vendor name'),
      f('PAYMENTMETHOD', 'TEXT', 'Payment method', { validValues: ['Printed Check', 'EFT', 'ACH', 'Cash', 'Credit Card'] }),
      f('PAYMENTDATE', 'DATE', 'Payment date'), f('DOCNUMBER', 'TEXT', 'Document number'), f('DESCRIPTION', 'TEXT', 'Memo'),
      f('STATE', 'TEXT', 'State', { validValues: ['Draft', 'Approved', 'Posted', 'Voided', 'Submitted'] }),
      f('FINANCIALENTITY', 'TEXT', 'Bank account'), f('TOTALENTERED', 'DECIMAL', 'Total amount'), f('CURRENCY', 'TEXT', 'Currency'), f('BASECURR', 'TEXT', 'Base currency'),
      ...entity, ...audit,
    ],
  },
  {
    name: 'APPYMTDETAIL', audited: false, auditType: 'appymtdetail',
    fields: [
      f('RECORDNO', 'INTEGER', 'Record number'), f('PAYMENTKEY', 'INTEGER', 'Payment key'), f('RECORDKEY', 'INTEGER', 'Bill key'), f('ENTRYKEY', 'INTEGER', 'Bill line key'),
      f('PAYMENTAMOUNT', 'DECIMAL', 'Payment amount'), f('TRX_PAYMENTAMOUNT', 'DECIMAL', 'Transaction payment amount'), f('PAYMENTDATE', 'DATE', 'Payment date'),
      f('STATE', 'TEXT', 'State'), ...audit,
    ],
  },
  {
    name: 'GLDETAIL', audited: false, auditType: 'gldetail',
    fields: [
      f('RECORDNO', 'INTEGER', 'Record number'), f('BATCHKEY', 'INTEGER', 'Batch key'), f('BATCH_DATE', 'DATE', 'Batch date'), f('BATCH_NO', 'INTEGER', 'Batch number'),
      f('BATCH_TITLE', 'TEXT', 'Batch title'), f('JOURNAL', 'TEXT', 'Journal'), f('BOOKID', 'TEXT', 'Book'), f('MODULEKEY', 'TEXT', 'Module'),
      f('LINE_NO', 'INTEGER', 'Line number'), f('ENTRY_DATE', 'DATE', 'Entry date'), f('ACCOUNTNO', 'TEXT', 'Account'), f('ACCOUNTTITLE', 'TEXT', 'Account title'),
      f('AMOUNT', 'DECIMAL', 'Amount'), f('DEBITAMOUNT', 'DECIMAL', 'Debit amount'), f('CREDITAMOUNT', 'DECIMAL', 'Credit amount'), f('TRX_AMOUNT', 'DECIMAL', 'Transaction amount'),
      f('TR_TYPE', 'INTEGER', 'Transaction type'), f('CURRENCY', 'TEXT', 'Currency'), f('BASECURR', 'TEXT', 'Base currency'),
      f('DEPARTMENTID', 'TEXT', 'Department'), f('DEPARTMENTTITLE', 'TEXT', 'Department title'), f('LOCATIONID', 'TEXT', 'Location'), f('LOCATIONNAME', 'TEXT', 'Location name'),
      f('VENDORID', 'TEXT', 'Vendor'), f('DESCRIPTION', 'TEXT', 'Description'), f('DOCNUMBER', 'TEXT', 'Document number'),
      f('STATE', 'TEXT', 'State'), f('BATCH_STATE', 'TEXT', 'Batch state'),
      f('GLDIMPROGRAM', 'TEXT', 'Program', { custom: true }), ...entity, ...audit,
    ],
    relationships: [{ path: 'GLACCOUNT', object: 'GLACCOUNT', relatedBy: 'ACCOUNTNO' }],
  },
  {
    name: 'AUDITHISTORY', audited: false, auditType: 'audithistory',
    fields: [
      f('ID', 'INTEGER', 'ID'), f('OBJECTTYPE', 'TEXT', 'Object type'), f('OBJECTKEY', 'TEXT', 'Object key'), f('OBJECTDESC', 'TEXT', 'Object description'),
      f('ACCESSMODE', 'TEXT', 'Access mode', { validValues: ['C', 'M', 'D'] }), f('ACCESSTIME', 'TIMESTAMP', 'Access time'),
      f('SOURCE', 'TEXT', 'Source', { validValues: ['api', 'csv', 'system', 'ui'] }), f('USERID', 'TEXT', 'User ID'),
    ],
  },
];

const byName = new Map(objects.map((o) => [o.name, o]));

/** The object's spec (object names are matched case-insensitively, as Intacct does); undefined if unknown. */
export function objectSpec(name: string): ObjectSpec | undefined {
  return byName.get(name.toUpperCase());
}

/** Every object the emulator knows. */
export function objectNames(): string[] {
  return objects.map((o) => o.name);
}

/** One field of an object, or undefined. */
export function fieldSpec(object: ObjectSpec, field: string): FieldSpec | undefined {
  let map = fieldMaps.get(object.name);
  if (!map) {
    map = new Map(object.fields.map((x) => [x.id, x]));
    fieldMaps.set(object.name, map);
  }
  return map.get(field.toUpperCase());
}
const fieldMaps = new Map<string, Map<string, FieldSpec>>();

/**
 * One record as the emulator stores it: Intacct field → text as Intacct prints it, with datetimes
 * in UTC (`MM/DD/YYYY HH:MM:SS`), dates `MM/DD/YYYY`, decimals without trailing zeros and `''` for
 * null (an empty element in the response).
 */
export type IntacctRecord = Record<string, string>;
