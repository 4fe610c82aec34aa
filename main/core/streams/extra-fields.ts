/**
 * Fields a user adds to a stream: Intacct custom fields and user-defined dimensions (what `lookup`
 * reports with ISCUSTOM=true, intacct-xml.md §4.3) or standard fields the definition leaves out.
 *
 * They are appended to the stream's columns at run time, so the reader selects them, the writer
 * types them and the loader sends them like any other column. Each is nullable: a custom field is
 * often empty, and records created before it existed have no value at all.
 */
import type { ExtraField, FieldType } from '../../../shared/types';
import type { ColumnDef, StreamDefinition } from './types';

/** An Intacct field name: a letter, then letters, digits, underscores; at most one relationship hop (VENDOR.NAME). */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}(\.[A-Za-z][A-Za-z0-9_]{0,99})?$/;

/** Extra fields allowed per stream: each one is selected on every page read. */
export const MAX_EXTRA_FIELDS = 50;

/** The Tableau column name of an Intacct field (`.` becomes `_`), for standard and extra columns alike. */
export function columnNameOf(field: string): string {
  return field.replace(/\./g, '_');
}

/** The column an extra field becomes. */
export function extraColumn(f: ExtraField): ColumnDef {
  return {
    name: columnNameOf(f.field),
    source: f.field,
    type: f.type,
    nullable: true,
    ...(f.type === 'numeric' ? { precision: 18, scale: f.scale ?? 2 } : {}),
    extra: true,
  };
}

/** The stream with its extra fields appended to its columns (the definition itself is left as is). */
export function withExtraFields(def: StreamDefinition, extras: readonly ExtraField[] | undefined): StreamDefinition {
  if (!extras?.length) return def;
  return { ...def, columns: [...def.columns, ...extras.map(extraColumn)] };
}

/**
 * A stable text naming every column with its type, e.g. `RECORDNO bigint!;AMOUNT numeric(18,2)`.
 * When it changes, the published data source no longer has the payload's columns: the stream must
 * be published again in full.
 */
export function columnsSignature(columns: readonly ColumnDef[]): string {
  return columns.map((c) => `${c.name} ${c.type}${c.type === 'numeric' ? `(${c.precision ?? 18},${c.scale ?? 2})` : ''}${c.nullable ? '' : '!'}`).join(';');
}

/** What changed between two signatures, in words for the log ("added GLDIMSALES_CHANNEL; removed X"). */
export function describeColumnChange(before: string, after: string): string {
  const names = (sig: string) =>
    new Map(
      sig
        .split(';')
        .filter(Boolean)
        .map((part) => [part.split(' ')[0]!, part]),
    );
  const a = names(before);
  const b = names(after);
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  const retyped = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k));
  const parts = [
    added.length ? `added ${added.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
    retyped.length ? `changed the type of ${retyped.join(', ')}` : '',
  ].filter(Boolean);
  return parts.join('; ') || 'reordered the columns';
}

/**
 * The column type for an Intacct DATATYPE from `lookup`. The reference lists no complete set of
 * DATATYPE names (UNCONFIRMED): the known numeric, date and boolean names map to their types and
 * anything else loads as text, which holds every value exactly.
 */
export function fieldTypeOf(intacctType: string): FieldType {
  switch (intacctType.toUpperCase()) {
    case 'INTEGER':
    case 'SEQUENCE':
      return 'bigint';
    case 'DECIMAL':
    case 'CURRENCY':
    case 'PERCENT':
    case 'NUMBER':
      return 'numeric';
    case 'DATE':
      return 'date';
    case 'TIMESTAMP':
    case 'DATETIME':
      return 'timestamp';
    case 'BOOLEAN':
      return 'bool';
    default:
      return 'text';
  }
}
