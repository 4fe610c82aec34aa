/**
 * The actions of "Update Data in Hyper Data Source" (tableau-rest.md §2): validation of the JSON
 * body and the SQL each action runs against the attached target and source databases.
 */
import { badRequest } from './http-error';

/** A condition (XSD `dataUpdateConditionType` / `dataUpdateConstConditionType`, §2). */
export type UpdateCondition =
  | { op: 'and' | 'or'; args: UpdateCondition[] }
  | { op: 'not'; args: [UpdateCondition] }
  | { op: CompareOp; 'target-col': string; 'source-col'?: string; const?: { type: ConstType; v: string | number | boolean } };

/** Comparison ops; §2 confirms eq and lt, the rest is UNCONFIRMED. */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
type ConstType = 'string' | 'integer' | 'double' | 'boolean' | 'datetime';

/** One validated action. */
export interface UpdateActionSpec {
  readonly action: 'insert' | 'update' | 'upsert' | 'delete' | 'replace';
  readonly targetSchema: string;
  readonly targetTable: string;
  readonly sourceSchema?: string;
  readonly sourceTable?: string;
  readonly condition?: UpdateCondition;
}

// §2 lists eq/lt/and as seen in samples; the full list is UNCONFIRMED. These are the usual ones.
const COMPARE: Record<CompareOp, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const CONST_TYPES: readonly ConstType[] = ['string', 'integer', 'double', 'boolean', 'datetime'];

function str(v: unknown, field: string, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) throw badRequest(`${where}: '${field}' must be a non-empty string.`);
  return v;
}

function parseCondition(c: unknown, where: string): UpdateCondition {
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw badRequest(`${where}: a condition must be an object.`);
  const o = c as Record<string, unknown>;
  const op = o.op;
  if (op === 'and' || op === 'or' || op === 'not') {
    if (!Array.isArray(o.args) || o.args.length === 0) throw badRequest(`${where}: '${op}' needs a non-empty 'args' array.`);
    if (op === 'not' && o.args.length !== 1) throw badRequest(`${where}: 'not' takes exactly one argument.`);
    const args = o.args.map((a) => parseCondition(a, where));
    return op === 'not' ? { op, args: [args[0]!] } : { op, args };
  }
  if (typeof op !== 'string' || !(op in COMPARE)) throw badRequest(`${where}: unknown condition op '${String(op)}'.`);
  const target = str(o['target-col'], 'target-col', where);
  const hasSource = o['source-col'] !== undefined;
  const hasConst = o.const !== undefined;
  if (hasSource === hasConst) throw badRequest(`${where}: a condition needs exactly one of 'source-col' or 'const'.`);
  if (hasSource) return { op: op as CompareOp, 'target-col': target, 'source-col': str(o['source-col'], 'source-col', where) };
  const k = o.const as Record<string, unknown> | null;
  if (!k || typeof k !== 'object' || !CONST_TYPES.includes(k.type as ConstType))
    throw badRequest(`${where}: 'const' needs a type among ${CONST_TYPES.join(', ')}.`);
  if (!['string', 'number', 'boolean'].includes(typeof k.v)) throw badRequest(`${where}: 'const.v' is missing.`);
  return { op: op as CompareOp, 'target-col': target, const: { type: k.type as ConstType, v: k.v as string | number | boolean } };
}

function usesSource(c: UpdateCondition): boolean {
  return 'args' in c ? c.args.some(usesSource) : c['source-col'] !== undefined;
}

/** Source columns a condition names. */
export function sourceColumnsOf(c: UpdateCondition | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (x: UpdateCondition): void => {
    if ('args' in x) x.args.forEach(walk);
    else if (x['source-col'] !== undefined) out.add(x['source-col']);
  };
  if (c) walk(c);
  return out;
}

/**
 * Validates `{"actions":[…]}`; throws a 400 for anything malformed. `hasPayload` says whether the
 * request named an upload session (actions with a source table need one, §2).
 */
export function parseActions(body: unknown, hasPayload: boolean): UpdateActionSpec[] {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { actions?: unknown }).actions)) {
    throw badRequest("The body must be a JSON object with an 'actions' array.");
  }
  const raw = (body as { actions: unknown[] }).actions;
  if (raw.length === 0) throw badRequest("'actions' is empty.");
  return raw.map((a, i) => {
    const where = `actions[${i}]`;
    if (!a || typeof a !== 'object') throw badRequest(`${where} must be an object.`);
    const o = a as Record<string, unknown>;
    const action = o.action;
    if (!['insert', 'update', 'upsert', 'delete', 'replace'].includes(action as string)) throw badRequest(`${where}: unknown action '${String(action)}'.`);
    const spec: UpdateActionSpec = {
      action: action as UpdateActionSpec['action'],
      targetSchema: str(o['target-schema'], 'target-schema', where),
      targetTable: str(o['target-table'], 'target-table', where),
      sourceSchema: o['source-schema'] === undefined ? undefined : str(o['source-schema'], 'source-schema', where),
      sourceTable: o['source-table'] === undefined ? undefined : str(o['source-table'], 'source-table', where),
      condition: o.condition === undefined ? undefined : parseCondition(o.condition, where),
    };
    const hasSource = spec.sourceTable !== undefined;
    if (hasSource && spec.sourceSchema === undefined) throw badRequest(`${where}: 'source-table' needs 'source-schema'.`);
    if (hasSource && !hasPayload) throw badRequest(`${where} names a source table but the request has no uploadSessionId.`);
    if (spec.action !== 'delete' && !hasSource) throw badRequest(`${where}: '${spec.action}' needs 'source-schema' and 'source-table'.`);
    if ((spec.action === 'update' || spec.action === 'upsert' || spec.action === 'delete') && !spec.condition) {
      throw badRequest(`${where}: '${spec.action}' needs a 'condition'.`);
    }
    if (spec.condition && usesSource(spec.condition) && !hasSource)
      throw badRequest(`${where}: the condition uses 'source-col' but the action has no source table.`);
    return spec;
  });
}

/** `"a""b"`: a quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function literal(k: { type: ConstType; v: string | number | boolean }): string {
  const v = k.v;
  switch (k.type) {
    case 'string':
      return `'${String(v).replace(/'/g, "''")}'`;
    case 'integer':
      if (!/^-?\d+$/.test(String(v))) throw new Error(`const '${String(v)}' is not an integer`);
      return String(v);
    case 'double':
      if (!Number.isFinite(Number(v))) throw new Error(`const '${String(v)}' is not a number`);
      return `CAST('${String(Number(v))}' AS DOUBLE PRECISION)`;
    case 'boolean':
      return v === true || v === 'true' ? 'TRUE' : 'FALSE';
    case 'datetime':
      // "2018-02-01T00:00:00Z" (HAS README) casts cleanly to TIMESTAMP in Hyper.
      return `CAST('${String(v).replace(/'/g, "''")}' AS TIMESTAMP)`;
  }
}

/** The SQL of a condition, with `t` the target alias and `s` the source alias. */
export function conditionSql(c: UpdateCondition): string {
  if (c.op === 'and' || c.op === 'or') return `(${c.args.map(conditionSql).join(c.op === 'and' ? ' AND ' : ' OR ')})`;
  if (c.op === 'not') return `(NOT ${conditionSql(c.args[0])})`;
  if ('args' in c) throw new Error('unreachable');
  const right = c['source-col'] !== undefined ? `s.${ident(c['source-col'])}` : literal(c.const!);
  return `(t.${ident(c['target-col'])} ${COMPARE[c.op]} ${right})`;
}

/** Tables (qualified SQL names) and the column lists the SQL needs, read from the attached databases before building it. */
export interface ActionTables {
  readonly target: string; // e.g. target."Extract"."Extract"
  readonly source?: string;
  readonly targetColumns: readonly string[];
  readonly sourceColumns?: readonly string[];
}

/**
 * The statements for one action. insert/replace copy the source's columns by name; upsert deletes
 * the matching target rows and inserts every source row when the source has every target column,
 * otherwise updates the matching rows and inserts the rest; replace is UNCONFIRMED (§2) and
 * implemented as "delete all, insert the source".
 */
export function actionSql(a: UpdateActionSpec, t: ActionTables): string[] {
  const src = t.sourceColumns ?? [];
  const unknown = src.filter((c) => !t.targetColumns.includes(c));
  const insertAll = (where?: string): string => {
    const cols = src.map(ident).join(', ');
    return `INSERT INTO ${t.target} (${cols}) SELECT ${src.map((c) => `s.${ident(c)}`).join(', ')} FROM ${t.source} AS s${where ? ` WHERE ${where}` : ''}`;
  };
  const needSourceColumnsInTarget = (): void => {
    if (unknown.length) throw new Error(`Source column(s) ${unknown.join(', ')} do not exist in the target table.`);
  };
  const cond = a.condition ? conditionSql(a.condition) : 'TRUE';
  switch (a.action) {
    case 'insert':
      needSourceColumnsInTarget();
      return [insertAll()];
    case 'replace':
      needSourceColumnsInTarget();
      return [`DELETE FROM ${t.target}`, insertAll()];
    case 'delete': {
      if (!t.source) return [`DELETE FROM ${t.target} AS t WHERE ${cond}`];
      // HAS base_extractor.py: a delete's source table may hold only the columns its condition uses.
      const used = sourceColumnsOf(a.condition);
      const extra = src.filter((c) => !used.has(c));
      if (extra.length) throw new Error(`The source table of a delete has column(s) not used by the condition: ${extra.join(', ')}.`);
      return [`DELETE FROM ${t.target} AS t WHERE EXISTS (SELECT 1 FROM ${t.source} AS s WHERE ${cond})`];
    }
    case 'update': {
      needSourceColumnsInTarget();
      const sets = src.map((c) => `${ident(c)} = s.${ident(c)}`).join(', ');
      return [`UPDATE ${t.target} AS t SET ${sets} FROM ${t.source} AS s WHERE ${cond}`];
    }
    case 'upsert': {
      needSourceColumnsInTarget();
      if (t.targetColumns.every((c) => src.includes(c))) {
        return [`DELETE FROM ${t.target} AS t WHERE EXISTS (SELECT 1 FROM ${t.source} AS s WHERE ${cond})`, insertAll()];
      }
      const sets = src.map((c) => `${ident(c)} = s.${ident(c)}`).join(', ');
      return [
        `UPDATE ${t.target} AS t SET ${sets} FROM ${t.source} AS s WHERE ${cond}`,
        insertAll(`NOT EXISTS (SELECT 1 FROM ${t.target} AS t WHERE ${cond})`),
      ];
    }
  }
}
