/**
 * The GL detail fast path: answers keyset pages over a million generated rows without scanning.
 *
 * For base rows, a filter built only from RECORDNO, WHENMODIFIED and BOOKID comparisons (with
 * and/or) is exactly a set of index intervals per book, because RECORDNO and WHENMODIFIED are both
 * non-decreasing in the row index. Counting is then prefix-sum arithmetic, and a page at any offset
 * is found by binary search. Edited and added rows (few) are merged in by their order key.
 *
 * Entity visibility (intacct-xml.md §3.3, entity-visibility.ts) narrows each segment's mask from
 * books to (entity × book) categories, which the ledger counts by prefix sums as well: hiding a
 * private entity or reading as an entity costs no scan. Edited and added rows are checked on
 * their own MEGAENTITYID.
 */
import { DAY_MS, parseDateTime } from './intacct-dates';
import type { IntacctRecord } from './object-catalog';
import { BOOK_ACCRUAL, BOOK_CASH, categoryMask, type GlLedger, type Segment } from './gl-ledger';
import { filterKey, type FilterNode } from './query-filter';
import { fieldSpec, objectSpec } from './object-catalog';
import { SEES_ALL, type EntityVisibility } from './entity-visibility';
import { ENTITIES, entityOfLocation } from './sample-reference-data';

type Intervals = [number, number][]; // sorted, disjoint, half-open
interface BookSets {
  acc: Intervals;
  cash: Intervals;
}

function normalize(list: Intervals): Intervals {
  const sorted = list.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Intervals = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function intersect(x: Intervals, y: Intervals): Intervals {
  const out: Intervals = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const lo = Math.max(x[i]![0], y[j]![0]);
    const hi = Math.min(x[i]![1], y[j]![1]);
    if (hi > lo) out.push([lo, hi]);
    if (x[i]![1] < y[j]![1]) i++;
    else j++;
  }
  return out;
}

function complement(x: Intervals, total: number): Intervals {
  const out: Intervals = [];
  let at = 0;
  for (const [a, b] of x) {
    if (a > at) out.push([at, a]);
    at = b;
  }
  if (at < total) out.push([at, total]);
  return out;
}

/** Index intervals per book matching the filter, or null when the filter uses other fields. */
function bookSets(ledger: GlLedger, node: FilterNode | null, offsetMinutes: number, caseInsensitive: boolean): BookSets | null {
  const total = ledger.total;
  const all: Intervals = total > 0 ? [[0, total]] : [];
  if (!node) return { acc: all, cash: all };
  if (node.kind !== 'cmp') {
    let acc: Intervals | null = null;
    let cash: Intervals | null = null;
    for (const child of node.children) {
      const s = bookSets(ledger, child, offsetMinutes, caseInsensitive);
      if (!s) return null;
      if (acc === null || cash === null) {
        acc = s.acc;
        cash = s.cash;
      } else if (node.kind === 'and') {
        acc = intersect(acc, s.acc);
        cash = intersect(cash, s.cash);
      } else {
        acc = normalize([...acc, ...s.acc]);
        cash = normalize([...cash, ...s.cash]);
      }
    }
    return { acc: acc ?? all, cash: cash ?? all };
  }
  const gl = objectSpec('GLDETAIL')!;
  const same = (iv: Intervals): BookSets => ({ acc: iv, cash: iv });
  // Only fields that are never null in base rows and non-decreasing in the index (or the book).
  if (!['RECORDNO', 'WHENMODIFIED', 'BOOKID', 'BATCH_DATE', 'ENTRY_DATE'].includes(node.field)) return null;
  if (node.op === 'isnull') return same([]);
  if (node.op === 'isnotnull') return same(all);
  if (node.op === 'like' || node.op === 'notlike') return null;
  if (node.field === 'BOOKID') {
    const norm = (v: string) => (caseInsensitive ? v.toUpperCase() : v);
    const values = node.values.map(norm);
    const has = (book: string) =>
      node.op === 'equalto' || node.op === 'in' ? values.includes(book) : node.op === 'notequalto' || node.op === 'notin' ? !values.includes(book) : null;
    const a = has('ACCRUAL');
    const c = has('CASH');
    if (a === null || c === null) return null;
    return { acc: a ? all : [], cash: c ? all : [] };
  }
  let point: (v: number) => [number, number];
  if (node.field === 'RECORDNO') {
    // TEXT keys: base rows' keys increase with the index (gl-ledger.ts), so a comparison is a
    // binary search on the generated key; Intacct compares text as text.
    const lt = (v: string) => ledger.indexAtKey(v, false); // first index with RECORDNO >= v
    const le = (v: string) => ledger.indexAtKey(v, true); // first index with RECORDNO > v
    return same(rangeOp(node.op, node.values, (v) => [lt(v), le(v)], lt, le, total));
  }
  if (node.field === 'WHENMODIFIED') {
    const key = (v: string) => filterKey(fieldSpec(gl, 'WHENMODIFIED')!, v, offsetMinutes, false) as number;
    const lt = (t: number) => ledger.indexAtWm(t, false);
    const le = (t: number) => ledger.indexAtWm(t, true);
    point = (t) => [lt(t), le(t)];
    return same(rangeOp(node.op, node.values.map(key), point, lt, le, total));
  }
  if (node.field === 'BATCH_DATE' || node.field === 'ENTRY_DATE') {
    // Base rows are dated on their batch's WHENMODIFIED day (gl-ledger.ts), so dates are monotone too.
    const key = (v: string) => filterKey(fieldSpec(gl, 'BATCH_DATE')!, v, offsetMinutes, false) as number;
    const lt = (d: number) => ledger.indexAtWm(d, false);
    const le = (d: number) => ledger.indexAtWm(d + DAY_MS, false);
    return same(rangeOp(node.op, node.values.map(key), (d) => [lt(d), le(d)], lt, le, total));
  }
  return null;
}

/** Intervals for one comparison on a field that is non-decreasing in the index. */
function rangeOp<V>(
  op: string,
  values: V[],
  point: (v: V) => [number, number],
  firstAtLeast: (v: V) => number,
  firstAbove: (v: V) => number,
  total: number,
): Intervals {
  const v = values[0]!;
  switch (op) {
    case 'equalto':
      return normalize([point(v)]);
    case 'notequalto':
      return complement(normalize([point(v)]), total);
    case 'lessthan':
      return normalize([[0, firstAtLeast(v)]]);
    case 'lessthanorequalto':
      return normalize([[0, firstAbove(v)]]);
    case 'greaterthan':
      return normalize([[firstAbove(v), total]]);
    case 'greaterthanorequalto':
      return normalize([[firstAtLeast(v), total]]);
    case 'between':
      return normalize([[firstAtLeast(v), firstAbove(values[1]!)]]);
    case 'in':
      return normalize(values.map(point));
    case 'notin':
      return complement(normalize(values.map(point)), total);
    default:
      return [];
  }
}

/**
 * Merges per-book interval lists into disjoint segments whose mask holds the categories of those
 * books owned by the entities `visible` accepts (by index in ENTITIES).
 */
function toSegments(s: BookSets, visible: (entity: number) => boolean): Segment[] {
  const cuts = new Set<number>();
  for (const [a, b] of [...s.acc, ...s.cash]) {
    cuts.add(a);
    cuts.add(b);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const out: Segment[] = [];
  let i = 0;
  let j = 0;
  for (let p = 0; p + 1 < points.length; p++) {
    const lo = points[p]!;
    const hi = points[p + 1]!;
    while (i < s.acc.length && s.acc[i]![1] <= lo) i++;
    while (j < s.cash.length && s.cash[j]![1] <= lo) j++;
    const inAcc = i < s.acc.length && s.acc[i]![0] <= lo;
    const inCash = j < s.cash.length && s.cash[j]![0] <= lo;
    const mask = categoryMask((inAcc ? BOOK_ACCRUAL : 0) | (inCash ? BOOK_CASH : 0), visible);
    if (!mask) continue;
    const last = out[out.length - 1];
    if (last && last.hi === lo && last.mask === mask) last.hi = hi;
    else out.push({ lo, hi, mask });
  }
  return out;
}

/** Which order a fast-path query uses: by RECORDNO, or by WHENMODIFIED then RECORDNO. */
export type GlOrder = 'recordno' | 'wm';

/** A prepared fast-path query: counts, ranks and pages in O(log n) plus the overrides. */
export class GlSelection {
  readonly total: number;
  private readonly segs: Segment[];
  private readonly excludedMatching: Int32Array;
  private readonly excludedSet: Set<number>;
  private readonly extra: { rec: IntacctRecord; wm: number; key: string }[];
  private readonly baseTotal: number;

  constructor(
    private readonly ledger: GlLedger,
    segs: Segment[],
    private readonly order: GlOrder,
    pred: (r: IntacctRecord) => boolean,
  ) {
    this.segs = segs;
    const { sorted, set } = ledger.excluded();
    this.excludedSet = set;
    this.excludedMatching = sorted.filter((i) => this.inSegments(i));
    let base = 0;
    for (const s of segs) base += ledger.countIn(s.lo, s.hi, s.mask);
    this.baseTotal = base - this.excludedMatching.length;
    this.extra = [];
    for (const [rno, rec] of ledger.overrides) {
      if (ledger.deleted.has(rno) || !pred(rec)) continue;
      // An empty WHENMODIFIED sorts last ascending, as Oracle sorts nulls (query-filter.ts compileOrder).
      this.extra.push({ rec, key: rec.RECORDNO ?? '', wm: parseDateTime(rec.WHENMODIFIED ?? '', 0) ?? Infinity });
    }
    this.extra.sort((a, b) => (order === 'wm' ? a.wm - b.wm || textCmp(a.key, b.key) : textCmp(a.key, b.key)));
    this.total = this.baseTotal + this.extra.length;
  }

  private inSegments(i: number): boolean {
    const b = this.ledger.batchOf(i);
    const bit = this.ledger.categoryBitOfBatch(b);
    for (const s of this.segs) if (i >= s.lo && i < s.hi) return (s.mask & bit) !== 0;
    return false;
  }

  /** Matching base rows with index < j. */
  private basePrefix(j: number): number {
    let n = 0;
    for (const s of this.segs) {
      if (s.lo >= j) break;
      n += this.ledger.countIn(s.lo, Math.min(s.hi, j), s.mask);
    }
    return n - lowerBound(this.excludedMatching, j);
  }

  /** Index of the r-th (0-based) matching base row. */
  private seek(r: number): number {
    for (const s of this.segs) {
      const exclBefore = lowerBound(this.excludedMatching, s.lo);
      const c = this.ledger.countIn(s.lo, s.hi, s.mask) - (lowerBound(this.excludedMatching, s.hi) - exclBefore);
      if (r >= c) {
        r -= c;
        continue;
      }
      let lo = s.lo + 1;
      let hi = s.hi;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const f = this.ledger.countIn(s.lo, mid, s.mask) - (lowerBound(this.excludedMatching, mid) - exclBefore);
        if (f >= r + 1) hi = mid;
        else lo = mid + 1;
      }
      return lo - 1;
    }
    return this.ledger.total;
  }

  /** Base rows before an override row in the merged order. */
  private baseBefore(e: { wm: number; key: string }): number {
    let j: number;
    if (this.order === 'recordno') j = this.ledger.indexAtKey(e.key, false);
    else {
      const lb = this.ledger.indexAtWm(e.wm, false);
      const ub = this.ledger.indexAtWm(e.wm, true);
      j = this.ledger.indexAtKey(e.key, false, lb, ub);
    }
    return this.basePrefix(j);
  }

  /** Rows at merged positions [offset, offset + size). */
  page(offset: number, size: number): IntacctRecord[] {
    return this.pageRefs(offset, size).map((r) => (typeof r === 'number' ? this.ledger.baseRow(r) : r));
  }

  /** Like page(), but base rows are given by index so they can be serialised without an object. */
  pageRefs(offset: number, size: number): (number | IntacctRecord)[] {
    const out: (number | IntacctRecord)[] = [];
    if (offset >= this.total || size <= 0) return out;
    let before = 0;
    for (let k = 0; k < this.extra.length; k++) {
      if (this.baseBefore(this.extra[k]!) + k < offset) before = k + 1;
      else break;
    }
    let baseRank = offset - before;
    let x = before;
    let i = baseRank < this.baseTotal ? this.seek(baseRank) : this.ledger.total;
    let segIdx = 0;
    let b = i < this.ledger.total ? this.ledger.batchOf(i) : 0;
    const nextBase = (): number => {
      // Advances i to the next matching base index at or after i; returns total when done.
      const total = this.ledger.total;
      while (i < total && baseRank < this.baseTotal) {
        while (segIdx < this.segs.length && this.segs[segIdx]!.hi <= i) segIdx++;
        const s = this.segs[segIdx];
        if (!s) return total;
        if (i < s.lo) i = s.lo;
        while (this.ledger.batchStartOf(b + 1) <= i) b++;
        if (!(s.mask & this.ledger.categoryBitOfBatch(b))) {
          i = this.ledger.batchStartOf(b + 1);
          continue;
        }
        if (this.excludedSet.has(i)) {
          i++;
          continue;
        }
        return i;
      }
      return total;
    };
    while (out.length < size) {
      const bi = nextBase();
      const e = this.extra[x];
      const haveBase = bi < this.ledger.total;
      if (!haveBase && !e) break;
      let takeBase = haveBase;
      if (haveBase && e) {
        const bw = this.ledger.wmOfBatch(b);
        const bkey = this.ledger.baseKey(bi);
        takeBase = this.order === 'wm' ? bw < e.wm || (bw === e.wm && bkey < e.key) : bkey < e.key;
      }
      if (takeBase) {
        out.push(bi);
        i = bi + 1;
        baseRank++;
      } else {
        out.push(e!.rec);
        x++;
      }
    }
    return out;
  }

  /** First and last rows in the merged order (for min/max aggregates), or null when empty. */
  firstAndLast(): { first: IntacctRecord; last: IntacctRecord } | null {
    if (this.total === 0) return null;
    return { first: this.page(0, 1)[0]!, last: this.page(this.total - 1, 1)[0]! };
  }
}

/** Intacct compares and sorts text keys as text (ordinal here; its collation is UNCONFIRMED). */
function textCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lowerBound(arr: Int32Array, v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Prepares a fast-path selection, or returns null when the filter or the order is outside what
 * the index arithmetic answers exactly (the caller then scans). Only rows `visibility` lets the
 * session see are selected (default: all).
 */
export function selectGl(
  ledger: GlLedger,
  filter: FilterNode | null,
  order: GlOrder,
  pred: (r: IntacctRecord) => boolean,
  offsetMinutes: number,
  caseInsensitive: boolean,
  visibility: EntityVisibility = SEES_ALL,
): GlSelection | null {
  const sets = bookSets(ledger, filter, offsetMinutes, caseInsensitive);
  if (!sets) return null;
  const segs = toSegments(sets, (e) => visibility.sees(ENTITIES[e]!.id));
  const visiblePred = visibility.all ? pred : (r: IntacctRecord) => visibility.sees(entityOfLocation(r.LOCATIONID ?? '')) && pred(r);
  return new GlSelection(ledger, segs, order, visiblePred);
}
