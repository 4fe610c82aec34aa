/**
 * Typed rows from a page's records: one compiled function per column list, two ways in.
 *
 * - {@link compileRowBuilder}: from a record object (any shape the full XML parser gives).
 * - {@link RowConverter.fromTable}: from the flat-record scanner's table (flat-records.ts), by
 *   position, with no record object in between: for a 2,000-row GL page of 46 fields that is
 *   2,000 objects with ~46 properties each that are never built, filled or looked up.
 *
 * Both give the same rows: an empty element is null, a column whose field is absent is null.
 */
import type { CellConverter } from './intacct-values';
import { recordValue } from './response-parser';
import type { FlatTable, RecordBuilder } from './flat-records';
import type { CellValue, ColumnDef, Row } from '../streams/types';

type XmlRecord = Record<string, unknown>;
/** Turns one parsed record into a typed row. */
export type RowBuilder = (record: XmlRecord) => Row;

/**
 * The raw value of column `source` when the record's own property is not a string: null for a
 * missing element, else the nested/odd shapes {@link recordValue} understands.
 */
function slowRaw(record: XmlRecord, source: string, dotted: boolean): string | null {
  return record[source] === undefined && !dotted ? null : recordValue(record, source);
}

/**
 * Compiles one function that turns a parsed record into a typed row with a single object
 * literal. Conversion runs for every row of every page: a literal gets all its properties in one
 * allocation with one shape, where adding ~25 properties one by one to `{}` regrows the property
 * store several times per row (measured: about 40% of the conversion time, plus the garbage).
 * Keys and sources are embedded with JSON.stringify, so any column name is a plain string key;
 * where code generation is unavailable (or a name is `__proto__`, which a literal would treat as
 * the prototype) the same conversion runs as a loop.
 */
export function compileRowBuilder(columns: readonly ColumnDef[], converters: readonly CellConverter[]): RowBuilder {
  const names = columns.map((c) => c.name);
  const sources = columns.map((c) => c.source);
  const dotted = sources.map((s) => s.includes('.'));
  const loop: RowBuilder = (rec) => {
    const row: Record<string, CellValue> = {};
    for (let i = 0; i < names.length; i++) {
      const v = rec[sources[i]!];
      const cell = converters[i]!(typeof v === 'string' ? (v === '' ? null : v) : slowRaw(rec, sources[i]!, dotted[i]!));
      // Assigning to `__proto__` would set the prototype instead of a property.
      if (names[i] === '__proto__') Object.defineProperty(row, '__proto__', { value: cell, enumerable: true, writable: true, configurable: true });
      else row[names[i]!] = cell;
    }
    return row;
  };
  if (names.includes('__proto__')) return loop;
  const props = columns.map((c, i) => {
    const src = JSON.stringify(c.source);
    return `${JSON.stringify(c.name)}: conv[${i}](typeof (v = rec[${src}]) === 'string' ? (v === '' ? null : v) : slowRaw(rec, ${src}, ${dotted[i]}))`;
  });
  try {
    const source = `'use strict'; return function buildRow(rec) { let v; return {\n${props.join(',\n')}\n}; };`;
    const factory = new Function('conv', 'slowRaw', source) as (conv: readonly CellConverter[], raw: typeof slowRaw) => RowBuilder;
    return factory(converters, slowRaw);
  } catch {
    // --disallow-code-generation-from-strings or a CSP: same rows, built slower.
    return loop;
  }
}

/** Turns one record of a table (its values by position) into a typed row. */
type PositionalBuilder = (values: readonly string[]) => Row;

/**
 * The two builders for one column list. The positional one is compiled for a table's layout and
 * kept while pages keep that layout (every page of a read has the same selected fields).
 */
export class RowConverter {
  readonly fromRecord: RowBuilder;
  private layout: readonly string[] | null = null;
  private positional: PositionalBuilder | null = null;

  constructor(
    private readonly columns: readonly ColumnDef[],
    private readonly converters: readonly CellConverter[],
  ) {
    this.fromRecord = compileRowBuilder(columns, converters);
  }

  /** For the scanner: builds each row as its record is read (flat-records.ts RecordBuilder). */
  readonly builder: RecordBuilder = (fields) => this.builderFor(fields);

  /** Typed rows of every record of the table (made as it was read when {@link builder} was given). */
  fromTable(table: FlatTable): Row[] {
    if (table.built) return table.built as Row[];
    const build = this.builderFor(table.fields);
    const src = table.rows;
    const rows: Row[] = new Array(src.length);
    for (let r = 0; r < src.length; r++) rows[r] = build(src[r]!);
    return rows;
  }

  private builderFor(fields: readonly string[]): PositionalBuilder {
    if (this.positional && this.layout && sameNames(this.layout, fields)) return this.positional;
    this.layout = fields;
    this.positional = compilePositional(this.columns, this.converters, fields);
    return this.positional;
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * A positional builder for one layout: column i reads `values[position of its source]`; a source
 * the layout lacks is null (what {@link compileRowBuilder} gives for an absent element of a flat record).
 */
function compilePositional(columns: readonly ColumnDef[], converters: readonly CellConverter[], fields: readonly string[]): PositionalBuilder {
  const at = new Map<string, number>();
  fields.forEach((f, k) => {
    if (!at.has(f)) at.set(f, k);
  });
  const names = columns.map((c) => c.name);
  const positions = columns.map((c) => at.get(c.source) ?? -1);
  const loop: PositionalBuilder = (values) => {
    const row: Record<string, CellValue> = {};
    for (let i = 0; i < names.length; i++) {
      const p = positions[i]!;
      const v = p < 0 ? '' : values[p]!;
      const cell = converters[i]!(v === '' ? null : v);
      if (names[i] === '__proto__') Object.defineProperty(row, '__proto__', { value: cell, enumerable: true, writable: true, configurable: true });
      else row[names[i]!] = cell;
    }
    return row;
  };
  if (names.includes('__proto__')) return loop;
  const props = columns.map((c, i) => {
    const p = positions[i]!;
    return `${JSON.stringify(c.name)}: conv[${i}](${p < 0 ? 'null' : `(v = values[${p}]) === '' ? null : v`})`;
  });
  try {
    const source = `'use strict'; return function buildRowAt(values) { let v; return {\n${props.join(',\n')}\n}; };`;
    return (new Function('conv', source) as (conv: readonly CellConverter[]) => PositionalBuilder)(converters);
  } catch {
    return loop;
  }
}
