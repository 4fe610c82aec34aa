/**
 * The legacy `readByQuery` query string (intacct-xml.md §4.1): `FIELD op 'value'` comparisons with
 * `= < > <= >=`, `like`/`not like`, `in (…)`/`not in (…)`, `IS [NOT] NULL`, `AND`, `OR`, `NOT` and
 * parentheses; quotes inside values escaped with a backslash. `!=` is refused, as Vena's
 * "Unable to parse Query value" suggests (§4.1).
 */
import { QueryProblem, type CompareOp, type FilterNode } from './query-filter';

type Token = { kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma'; text: string };

const parseError = (query: string, why: string) =>
  new QueryProblem('result', [{ errorno: 'Query Failed', description: '', description2: `Unable to parse Query value: ${query} (${why})`, correction: '' }]);

function tokenize(query: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      while (i < query.length && query[i] !== "'") {
        if (query[i] === '\\' && i + 1 < query.length) i++;
        v += query[i++];
      }
      if (query[i] !== "'") throw parseError(query, 'unterminated string');
      i++;
      out.push({ kind: 'string', text: v });
    } else if (c === '(') {
      out.push({ kind: 'lparen', text: c });
      i++;
    } else if (c === ')') {
      out.push({ kind: 'rparen', text: c });
      i++;
    } else if (c === ',') {
      out.push({ kind: 'comma', text: c });
      i++;
    } else if ('<>=!'.includes(c)) {
      const two = query.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '<>'].includes(two) ? two : c;
      if (op === '!=' || op === '!' || op === '<>') throw parseError(query, `operator ${op} is not supported`);
      out.push({ kind: 'op', text: op });
      i += op.length;
    } else {
      const m = /^[A-Za-z0-9_.\-:/+]+/.exec(query.slice(i));
      if (!m) throw parseError(query, `unexpected "${c}"`);
      out.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

const NEGATE: Record<CompareOp, CompareOp> = {
  equalto: 'notequalto',
  notequalto: 'equalto',
  lessthan: 'greaterthanorequalto',
  greaterthanorequalto: 'lessthan',
  greaterthan: 'lessthanorequalto',
  lessthanorequalto: 'greaterthan',
  in: 'notin',
  notin: 'in',
  like: 'notlike',
  notlike: 'like',
  isnull: 'isnotnull',
  isnotnull: 'isnull',
  between: 'between',
};

function negate(node: FilterNode): FilterNode {
  if (node.kind === 'cmp') return { ...node, op: NEGATE[node.op] };
  return { kind: node.kind === 'and' ? 'or' : 'and', children: node.children.map(negate) };
}

/** Parses a readByQuery query string into the same filter tree `query` uses (null = all rows). */
export function parseQueryString(query: string): FilterNode | null {
  const tokens = tokenize(query);
  if (!tokens.length) return null;
  let pos = 0;
  const peekWord = (w: string) => tokens[pos]?.kind === 'word' && tokens[pos]!.text.toUpperCase() === w;
  const value = (): string => {
    const t = tokens[pos++];
    if (!t || (t.kind !== 'string' && t.kind !== 'word')) throw parseError(query, 'value expected');
    return t.text;
  };
  const comparison = (): FilterNode => {
    const f = tokens[pos++];
    if (!f || f.kind !== 'word') throw parseError(query, 'field expected');
    const field = f.text.toUpperCase();
    if (peekWord('IS')) {
      pos++;
      const not = peekWord('NOT');
      if (not) pos++;
      if (!peekWord('NULL')) throw parseError(query, 'NULL expected');
      pos++;
      return { kind: 'cmp', op: not ? 'isnotnull' : 'isnull', field, values: [] };
    }
    let not = false;
    if (peekWord('NOT')) {
      not = true;
      pos++;
    }
    if (peekWord('LIKE')) {
      pos++;
      return { kind: 'cmp', op: not ? 'notlike' : 'like', field, values: [value()] };
    }
    if (peekWord('IN')) {
      pos++;
      if (tokens[pos++]?.kind !== 'lparen') throw parseError(query, '( expected');
      const values = [value()];
      while (tokens[pos]?.kind === 'comma') {
        pos++;
        values.push(value());
      }
      if (tokens[pos++]?.kind !== 'rparen') throw parseError(query, ') expected');
      return { kind: 'cmp', op: not ? 'notin' : 'in', field, values };
    }
    if (not) throw parseError(query, 'LIKE or IN expected after NOT');
    const op = tokens[pos++];
    if (!op || op.kind !== 'op') throw parseError(query, 'operator expected');
    const map: Record<string, CompareOp> = { '=': 'equalto', '<': 'lessthan', '>': 'greaterthan', '<=': 'lessthanorequalto', '>=': 'greaterthanorequalto' };
    return { kind: 'cmp', op: map[op.text]!, field, values: [value()] };
  };
  const factor = (): FilterNode => {
    if (peekWord('NOT')) {
      pos++;
      return negate(factor());
    }
    if (tokens[pos]?.kind === 'lparen') {
      pos++;
      const e = expr();
      if (tokens[pos++]?.kind !== 'rparen') throw parseError(query, ') expected');
      return e;
    }
    return comparison();
  };
  const chain = (kind: 'and' | 'or', next: () => FilterNode): FilterNode => {
    const parts = [next()];
    while (peekWord(kind.toUpperCase())) {
      pos++;
      parts.push(next());
    }
    return parts.length === 1 ? parts[0]! : { kind, children: parts };
  };
  const term = () => chain('and', factor);
  const expr = (): FilterNode => chain('or', term);
  const tree = expr();
  if (pos !== tokens.length) throw parseError(query, `unexpected "${tokens[pos]!.text}"`);
  return tree;
}
