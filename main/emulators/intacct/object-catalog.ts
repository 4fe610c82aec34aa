/**
 * The objects the emulator serves and their fields, as `lookup` reports them.
 *
 * Fields come from the catalog recorded from a real Intacct company
 * (docs/reference/intacct-objects.json, summarised in intacct-objects.md): for every object served,
 * exactly the recorded fields, in lookup order, with the recorded DATATYPE, label and ISCUSTOM. A
 * field the recorded company lacks fails a query as it would in Intacct ("The following fields
 * cannot be queried"), so a stream that asks for one fails here before it fails in production.
 *
 * AUDITHISTORY was not recorded (intacct-exchanges.md §6): its fields follow Intacct's public
 * audit-trail reference (https://developer.intacct.com/api/company-console/audit-trails/).
 * EMPLOYEE was recorded with field IDs but without types: its types are inferred from the IDs
 * (`inferred: true`), UNCONFIRMED.
 */
import recorded from '../../../docs/reference/intacct-objects.json' with { type: 'json' };

/** `lookup` DATATYPE values (intacct-objects.md "Type codes"). */
export type FieldType = 'INTEGER' | 'TEXT' | 'DECIMAL' | 'CURRENCY' | 'PERCENT' | 'DATE' | 'TIMESTAMP' | 'BOOLEAN' | 'ENUM';

/** One field as `lookup` reports it. */
export interface FieldSpec {
  readonly id: string;
  readonly label: string;
  readonly type: FieldType;
  readonly custom?: boolean;
  readonly readonly?: boolean;
  readonly required?: boolean;
  readonly validValues?: readonly string[];
  /** The type was not recorded and is inferred from the field's name (UNCONFIRMED). */
  readonly inferred?: boolean;
}

/** A relationship `lookup` lists: `PATH.FIELD` selects FIELD of the related record. */
export interface RelationshipSpec {
  readonly path: string;
  readonly object: string;
  readonly relatedBy: string;
  readonly type: string;
}

/** One object the emulator serves. */
export interface ObjectSpec {
  readonly name: string;
  /** Written to AUDITHISTORY on add/edit/delete (line objects are not audited, intacct-xml.md §5 "Deletes"). */
  readonly audited: boolean;
  /** `OBJECTTYPE` in AUDITHISTORY: the object name in lower case (§5). */
  readonly auditType: string;
  readonly fields: readonly FieldSpec[];
  readonly relationships: readonly RelationshipSpec[];
}

interface RecordedField {
  id: string;
  label: string | null;
  datatype: string | null;
  readonly: boolean | null;
  required: boolean | null;
  iscustom: boolean | null;
}
interface RecordedObject {
  fields: RecordedField[];
  relationships?: { objectPath: string; objectName: string; label: string | null; type: string; relatedBy: string }[];
}
const catalog = recorded as unknown as Record<string, RecordedObject>;

const TYPES: readonly FieldType[] = ['INTEGER', 'TEXT', 'DECIMAL', 'CURRENCY', 'PERCENT', 'DATE', 'TIMESTAMP', 'BOOLEAN', 'ENUM'];

/** A type from the field's name, for objects recorded without DATATYPE (EMPLOYEE). UNCONFIRMED. */
function inferType(id: string): FieldType {
  if (id === 'RECORDNO' || /KEY$/.test(id) || id === 'CREATEDBY' || id === 'MODIFIEDBY') return 'INTEGER';
  if (id === 'WHENCREATED' || id === 'WHENMODIFIED') return 'TIMESTAMP';
  if (/DATE$/.test(id)) return 'DATE';
  if (/^(ACHENABLED|PAYMENTNOTIFY|MERGEPAYMENTREQ|GENERIC|POSTACTUALCOST)$/.test(id)) return 'BOOLEAN';
  return 'TEXT';
}

/** The recorded object `name` as an ObjectSpec. */
function fromRecorded(name: string, audited: boolean, validValues: Record<string, readonly string[]> = {}): ObjectSpec {
  const rec = catalog[name];
  if (!rec) throw new Error(`The recorded catalog has no object ${name}`);
  const fields = rec.fields.map((fl): FieldSpec => {
    const recordedType = fl.datatype && (TYPES as readonly string[]).includes(fl.datatype) ? (fl.datatype as FieldType) : null;
    return {
      id: fl.id,
      label: fl.label ?? fl.id,
      type: recordedType ?? inferType(fl.id),
      ...(fl.iscustom ? { custom: true } : {}),
      ...(fl.readonly ? { readonly: true } : {}),
      ...(fl.required ? { required: true } : {}),
      ...(recordedType ? {} : { inferred: true }),
      ...(validValues[fl.id] ? { validValues: validValues[fl.id] } : {}),
    };
  });
  const relationships = (rec.relationships ?? []).map((r) => ({ path: r.objectPath, object: r.objectName, relatedBy: r.relatedBy, type: r.type }));
  return { name, audited, auditType: name.toLowerCase(), fields, relationships };
}

const status = ['active', 'inactive'];
const objects: ObjectSpec[] = [
  fromRecorded('GLACCOUNT', true, { ACCOUNTTYPE: ['balancesheet', 'incomestatement'], NORMALBALANCE: ['debit', 'credit'], STATUS: status }),
  fromRecorded('VENDOR', true, { STATUS: ['active', 'active non-posting', 'inactive'] }),
  fromRecorded('DEPARTMENT', true, { STATUS: status }),
  fromRecorded('LOCATION', true, { STATUS: status, LOCATIONTYPE: ['E', 'N', 'C'] }),
  fromRecorded('CLASS', true, { STATUS: status }),
  fromRecorded('EMPLOYEE', true, { STATUS: status }),
  fromRecorded('APBILL', true),
  // Line objects are not in AUDITHISTORY (intacct-xml.md §5 "Deletes").
  fromRecorded('APBILLITEM', false),
  fromRecorded('APPYMT', true),
  fromRecorded('APPYMTDETAIL', false),
  fromRecorded('GLDETAIL', false),
  {
    name: 'AUDITHISTORY',
    audited: false,
    auditType: 'audithistory',
    relationships: [],
    fields: [
      { id: 'ID', label: 'ID', type: 'INTEGER' },
      { id: 'OBJECTTYPE', label: 'Object type', type: 'TEXT' },
      { id: 'OBJECTKEY', label: 'Object key', type: 'TEXT' },
      { id: 'OBJECTDESC', label: 'Object description', type: 'TEXT' },
      { id: 'ACCESSMODE', label: 'Access mode', type: 'TEXT', validValues: ['C', 'M', 'D'] },
      { id: 'ACCESSTIME', label: 'Access time', type: 'TIMESTAMP' },
      { id: 'SOURCE', label: 'Source', type: 'TEXT', validValues: ['api', 'csv', 'system', 'ui'] },
      { id: 'USERID', label: 'User ID', type: 'TEXT' },
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

/** The recorded catalog's objects (for the catalog tests). */
export function recordedCatalog(): Readonly<Record<string, RecordedObject>> {
  return catalog;
}

/** Types Intacct compares and sorts as numbers. */
export function isNumericType(t: FieldType): boolean {
  return t === 'INTEGER' || t === 'DECIMAL' || t === 'CURRENCY' || t === 'PERCENT';
}

/**
 * One field of an object, or undefined. A dotted name that is not itself a field
 * (`VENDOR.NAME`) is a related field when its first part is one of the object's relationships
 * and the rest a field of the related object the emulator serves (intacct-exchanges.md §4: they
 * come back flat under the dotted name).
 */
export function fieldSpec(object: ObjectSpec, field: string): FieldSpec | undefined {
  let map = fieldMaps.get(object.name);
  if (!map) {
    map = new Map(object.fields.map((x) => [x.id, x]));
    fieldMaps.set(object.name, map);
  }
  const id = field.toUpperCase();
  const own = map.get(id);
  if (own) return own;
  const related = relatedField(object, id);
  return related ? related.spec : undefined;
}
const fieldMaps = new Map<string, Map<string, FieldSpec>>();

/** A related field (`PATH.FIELD`): the relationship, the target object and the target's field. */
export function relatedField(object: ObjectSpec, id: string): { rel: RelationshipSpec; target: ObjectSpec; spec: FieldSpec } | undefined {
  const dot = id.indexOf('.');
  if (dot <= 0) return undefined;
  const rel = object.relationships.find((r) => r.path === id.slice(0, dot));
  const target = rel ? objectSpec(rel.object) : undefined;
  if (!rel || !target) return undefined;
  const own = target.fields.find((x) => x.id === id.slice(dot + 1));
  return own ? { rel, target, spec: { ...own, id } } : undefined;
}

/**
 * One record as the emulator stores it: Intacct field → text as Intacct prints it, with datetimes
 * in UTC (`MM/DD/YYYY HH:MM:SS`), dates `MM/DD/YYYY`, decimals without trailing zeros and `''` for
 * null (an empty element in the response).
 */
export type IntacctRecord = Record<string, string>;
