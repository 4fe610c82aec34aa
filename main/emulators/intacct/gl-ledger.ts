/**
 * GL detail postings for the sample company, generated on demand.
 *
 * A million rows must not be a million JS objects (peak RSS under 300 MB, issue 2 acceptance 6):
 * the base rows are a pure function of (seed, row index). Only the batch layout lives in typed
 * arrays (start line, book, running ACCRUAL count); edits, additions and deletions are kept in
 * maps. Base WHENMODIFIED is non-decreasing in RECORDNO (one timestamp per batch), so a filter on
 * RECORDNO and WHENMODIFIED maps to index intervals found by binary search, and counts come from
 * prefix sums: `totalcount`/`numremaining` of a keyset page cost O(log n), not a scan.
 *
 * Every batch has one book and one owning entity (its location's, intacct-xml.md §3.3), so rows
 * fall into (entity × book) categories, with one prefix count per category: a query restricted to
 * some books and to the entities the session may see is still counted and paged by arithmetic.
 *
 * RECORDNO is TEXT on GLDETAIL, a composite like `3220-55186-27290--accrual`
 * (docs/reference/intacct-objects.md "RECORDNO"): here `<batch key>-<entry key>-<line key>--<book>`.
 * Base rows use fixed-width segments (6, 7 and 5 digits), so their text order is their index order
 * and RECORDNO comparisons stay binary searches. Rows added later get a 7-digit batch key, so they
 * sort *before* every base row as text though their numbers are larger: a client that orders
 * or compares these keys as numbers reads the wrong rows here, as it would in Intacct. Internally a
 * row is addressed by its entry key (the middle segment, unique per row).
 */
import { formatDate, formatDateTime, DAY_MS } from './intacct-dates';
import { objectSpec, type IntacctRecord } from './object-catalog';
import { ACCOUNTS, CLASSES, CUSTOMERS, DEPARTMENTS, EMPLOYEES, ENTITIES, LOCATIONS, PROJECTS, type VendorSeed } from './sample-reference-data';
import { centsToText, hash3 } from './sample-hash';
import { escapeXml } from './intacct-xml-writer';

/** How the GL detail table is generated. */
export interface GlLedgerOptions {
  seed: number;
  /** Exact number of base rows in book ACCRUAL. */
  accrualRows: number;
  /** WHENMODIFIED of the first batch (UTC ms, whole seconds). */
  startMs: number;
  /** Base WHENMODIFIED values spread over this span. */
  spanMs: number;
  vendors: readonly VendorSeed[];
  firstRecordNo?: number;
}

/** Book bit of ACCRUAL rows (a book mask, as a filter on BOOKID selects books). */
export const BOOK_ACCRUAL = 1;
/** Book bit of CASH rows. */
export const BOOK_CASH = 2;

/**
 * Base rows fall into (owning entity × book) categories, category `entity * 2 + book` (book 0 =
 * ACCRUAL, 1 = CASH; entity = index in ENTITIES). A category mask has one bit per category.
 */
export const CATEGORY_COUNT = ENTITIES.length * 2;
/** The category mask of every base row. */
export const ALL_CATEGORIES = (1 << CATEGORY_COUNT) - 1;

/** The categories of rows in the books of `bookMask` owned by entities (by index) that `entity` accepts. */
export function categoryMask(bookMask: number, entity: (index: number) => boolean = () => true): number {
  let mask = 0;
  for (let e = 0; e < ENTITIES.length; e++) {
    if (!entity(e)) continue;
    if (bookMask & BOOK_ACCRUAL) mask |= 1 << (e * 2);
    if (bookMask & BOOK_CASH) mask |= 1 << (e * 2 + 1);
  }
  return mask;
}

/** Base-row index interval [lo, hi) restricted to the categories in `mask` (see categoryMask). */
export interface Segment {
  lo: number;
  hi: number;
  mask: number;
}

interface BatchCache {
  b: number;
  /** Field id → XML-escaped (and raw) text of fields shared by the batch's lines, and the user offset used. */
  xml: Map<string, string> | null;
  raw: Map<string, string> | null;
  xmlOffset: number;
  common: {
    BATCHKEY: string;
    BATCH_DATE: string;
    BATCH_NO: string;
    BATCH_TITLE: string;
    SYMBOL: string;
    BOOKID: string;
    MODULEKEY: string;
    CURRENCY: string;
    BASECURR: string;
    LOCATIONID: string;
    LOCATIONNAME: string;
    VENDORID: string;
    VENDORNAME: string;
    DOCNUMBER: string;
    WHEN: string;
    WHENCREATED: string;
    CHILDENTITY: string;
    PROJECTID: string;
    PROJECTNAME: string;
    CUSTOMERID: string;
    CUSTOMERNAME: string;
  };
  /** Lowercase book for the RECORDNO suffix. */
  book: string;
  amounts: number[];
  /** Transaction-currency amounts (equal to `amounts` when CURRENCY = BASECURR). */
  trx: number[];
  accounts: number[];
}

/** Every recorded GLDETAIL field, in lookup order. */
const GL_FIELDS: readonly string[] = objectSpec('GLDETAIL')!.fields.map((f) => f.id);

const balanceAccounts = ACCOUNTS.map((a, i) => (a.type === 'balancesheet' ? i : -1)).filter((i) => i >= 0);
const accountIndex = (no: string) => ACCOUNTS.findIndex((a) => a.no === no);
const operatingLocations = LOCATIONS.filter((l) => l.parent !== '');
/** Values of the user-defined dimension GLDIMSALES_CHANNEL (a recorded GLDIM* field). */
const programs = ['Distributors', 'OEM — Direct', 'Export "EU"', ''];
const escapedAccountTitles = ACCOUNTS.map((a) => escapeXml(a.title));
const escapedDepartmentTitles = DEPARTMENTS.map((d) => escapeXml(d.title));
const escapedPrograms = programs.map(escapeXml);
const escapedClasses = CLASSES.map((c) => escapeXml(c.name));
const escapedEmployees = EMPLOYEES.map((e) => escapeXml(e.name));

const accountsIn = (...categories: string[]) => ACCOUNTS.map((a, i) => (categories.includes(a.category) ? i : -1)).filter((i) => i >= 0);
/**
 * Each kind of batch: its journal (SYMBOL) and module, where it posts its lines (`lines`, credited
 * when `credit`, amounts × `scale`) and its balancing line (`closing`; none: a balance-sheet
 * account). GL batches alternate `lines` with balance-sheet accounts (accruals).
 */
const postingPlan: Record<string, { symbol: string; moduleKey: string; lines: readonly number[]; credit: boolean; scale: number; closing: number | null }> = {
  AP: {
    symbol: 'APJ',
    moduleKey: '3.AP',
    lines: accountsIn('Cost of Goods Sold', 'Facilities', 'Selling, General & Administrative'),
    credit: false,
    scale: 1,
    closing: accountIndex('2000'),
  },
  AR: { symbol: 'ARJ', moduleKey: '4.AR', lines: accountsIn('Revenue'), credit: true, scale: 3, closing: accountIndex('1200') },
  CR: { symbol: 'CRJ', moduleKey: '4.AR', lines: [accountIndex('1200')], credit: true, scale: 4, closing: accountIndex('1010') },
  CM: { symbol: 'CDJ', moduleKey: '11.CM', lines: [accountIndex('2000')], credit: false, scale: 2.5, closing: accountIndex('1010') },
  PR: { symbol: 'PRJ', moduleKey: '2.GL', lines: accountsIn('Payroll Expenses'), credit: false, scale: 1, closing: accountIndex('2100') },
  GL: {
    symbol: 'GJ',
    moduleKey: '2.GL',
    lines: accountsIn('Facilities', 'Selling, General & Administrative', 'Other Income & Expense'),
    credit: false,
    scale: 0.5,
    closing: null,
  },
};

/** First base entry key: 7 digits, so base RECORDNOs sort as text in index order. */
export const FIRST_ENTRY_KEY = 1_000_000;
/** Base batch keys are 200000 + batch: 6 digits while batches < 800,000. */
const BATCH_KEY_BASE = 200_000;
/** Added rows' batch keys: 7 digits, so they sort before base rows as text. */
export const ADDED_BATCH_KEY_BASE = 1_000_000;

/** `<batch>-<entry>-<line>--<book>`, GLDETAIL's text RECORDNO (see the file comment). */
export function glRecordNo(batchKey: number, entryKey: number, lineKey: number, book: string): string {
  return `${batchKey}-${entryKey}-${lineKey}--${book.toLowerCase()}`;
}

/** The entry key (middle segment) of a GLDETAIL RECORDNO, or null when it is not one. */
export function entryKeyOf(recordNo: string): number | null {
  const m = /^(\d+)-(\d+)-(\d+)--[a-z0-9_]+$/.exec(recordNo);
  if (!m) return null;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? n : null;
}

/** Exchange rates to USD of the sample's transaction currencies. */
const RATE_TO_USD: Record<string, number> = { EUR: 1.0875, CAD: 0.7342 };

/**
 * Cells that differ from line to line, by number (a switch on numbers is a jump table; on ~20
 * field names it was a chain of string comparisons per cell). Every other field is shared by the
 * batch's lines and comes from its cache (BATCH_CELL).
 */
const Cell = {
  RECORDNO: 1,
  GLENTRYKEY: 2,
  LINE_NO: 3,
  ACCOUNTNO: 4,
  ACCOUNTTITLE: 5,
  AMOUNT: 6,
  DEBITAMOUNT: 7,
  CREDITAMOUNT: 8,
  TRX_AMOUNT: 9,
  TRX_DEBITAMOUNT: 10,
  TRX_CREDITAMOUNT: 11,
  TR_TYPE: 12,
  DEPARTMENTID: 13,
  DEPARTMENTTITLE: 14,
  CLASSID: 15,
  CLASSNAME: 16,
  CLASSDIMKEY: 17,
  EMPLOYEEID: 18,
  EMPLOYEENAME: 19,
  EMPLOYEEDIMKEY: 20,
  DESCRIPTION: 21,
  GLDIMSALES_CHANNEL: 22,
} as const;
const BATCH_CELL = 0;
const CELL_CODE = new Map<string, number>(Object.entries(Cell));

/** The GL detail table: generated base rows plus overrides. */
export class GlLedger {
  readonly firstRecordNo: number;
  /** Base rows in all books. */
  readonly total: number;
  readonly accrualRows: number;
  readonly batches: number;
  /** Current version of edited base rows and of added rows, by RECORDNO. */
  readonly overrides = new Map<number, IntacctRecord>();
  /** Deleted RECORDNOs (base or added). */
  readonly deleted = new Set<number>();
  nextRecordNo: number;

  private readonly seed: number;
  private readonly startMs: number;
  private readonly spanSec: number;
  private readonly vendors: readonly VendorSeed[];
  private readonly batchStart: Int32Array;
  /** Category (entity * 2 + book) of each batch. */
  private readonly batchCat: Uint8Array;
  /** Base rows of category c before batch b, at [b * CATEGORY_COUNT + c] (b = 0..batches). */
  private readonly catBefore: Int32Array;
  private cache: BatchCache | null = null;
  private excludedCache: Int32Array | null = null;
  private excludedSetCache: Set<number> | null = null;

  constructor(opts: GlLedgerOptions) {
    this.seed = opts.seed;
    this.startMs = opts.startMs;
    this.spanSec = Math.max(1, Math.floor(opts.spanMs / 1000));
    this.vendors = opts.vendors;
    this.firstRecordNo = opts.firstRecordNo ?? FIRST_ENTRY_KEY;
    this.accrualRows = Math.max(0, Math.floor(opts.accrualRows));
    const cap = this.accrualRows + 16;
    const start = new Int32Array(cap + 1);
    const cat = new Uint8Array(cap);
    let remaining = this.accrualRows;
    let b = 0;
    let idx = 0;
    while (remaining > 0) {
      const cash = hash3(this.seed, b, 2) % 4 === 0;
      let n = 2 + (hash3(this.seed, b, 3) % 5);
      if (!cash) {
        if (remaining - n < 2) n = remaining;
        remaining -= n;
      }
      start[b] = idx;
      cat[b] = this.locationOfBatch(b).entity * 2 + (cash ? 1 : 0);
      idx += n;
      b++;
    }
    start[b] = idx;
    if (b >= 800_000) throw new RangeError('The sample GL holds at most 800,000 batches (6-digit batch keys).');
    if (this.firstRecordNo + idx >= 10_000_000) throw new RangeError('The sample GL holds at most 9,000,000 rows (7-digit entry keys).');
    this.batches = b;
    this.total = idx;
    this.batchStart = start.slice(0, b + 1);
    this.batchCat = cat.slice(0, b);
    const before = new Int32Array((b + 1) * CATEGORY_COUNT);
    for (let k = 0; k < b; k++) {
      const from = k * CATEGORY_COUNT;
      for (let c = 0; c < CATEGORY_COUNT; c++) before[from + CATEGORY_COUNT + c] = before[from + c]!;
      const at = from + CATEGORY_COUNT + this.batchCat[k]!;
      before[at] = before[at]! + start[k + 1]! - start[k]!;
    }
    this.catBefore = before;
    this.nextRecordNo = this.firstRecordNo + this.total;
  }

  /** The operating location of batch b, whose entity owns the batch (a pure function of seed and b). */
  private locationOfBatch(b: number): (typeof LOCATIONS)[number] {
    return operatingLocations[hash3(this.seed, b, 4) % operatingLocations.length]!;
  }

  /** WHENMODIFIED of batch b (UTC ms): non-decreasing in b. */
  wmOfBatch(b: number): number {
    return this.startMs + Math.floor((b * this.spanSec) / Math.max(1, this.batches)) * 1000;
  }

  /** Batch holding base index i (0 <= i < total). */
  batchOf(i: number): number {
    let lo = 0;
    let hi = this.batches - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.batchStart[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  batchStartOf(b: number): number {
    return this.batchStart[b]!;
  }

  /** The text RECORDNO of base row i. */
  baseKey(i: number): string {
    const b = this.batchOf(i);
    return glRecordNo(BATCH_KEY_BASE + b, this.firstRecordNo + i, 30_001 + i - this.batchStart[b]!, (this.batchCat[b]! & 1) === 1 ? 'cash' : 'accrual');
  }

  /** First base index whose RECORDNO is >= key (or > key when `strict`), within [lo, hi). */
  indexAtKey(key: string, strict: boolean, lo = 0, hi = this.total): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.baseKey(mid);
      if (strict ? k > key : k >= key) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The internal entry key of a RECORDNO (text, or the entry key itself); null if there is no such row. */
  entryKey(recordNo: string | number): number | null {
    if (typeof recordNo === 'number') return Number.isSafeInteger(recordNo) ? recordNo : null;
    const n = entryKeyOf(recordNo);
    if (n === null) return null;
    const rec = this.getByEntry(n);
    return rec && rec.RECORDNO === recordNo ? n : null;
  }

  /** Book bit (BOOK_ACCRUAL / BOOK_CASH) of batch b. */
  bookBitOfBatch(b: number): number {
    return (this.batchCat[b]! & 1) === 1 ? BOOK_CASH : BOOK_ACCRUAL;
  }

  /** Category bit (see categoryMask) of batch b. */
  categoryBitOfBatch(b: number): number {
    return 1 << this.batchCat[b]!;
  }

  wmOfIndex(i: number): number {
    return this.wmOfBatch(this.batchOf(i));
  }

  /** First base index whose WHENMODIFIED is >= t (or > t when `strict`). */
  indexAtWm(t: number, strict: boolean): number {
    let lo = 0;
    let hi = this.batches;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const wm = this.wmOfBatch(mid);
      if (strict ? wm > t : wm >= t) hi = mid;
      else lo = mid + 1;
    }
    return this.batchStart[lo]!;
  }

  /** ACCRUAL base rows with index < i. */
  accrualPrefix(i: number): number {
    return this.countIn(0, i, categoryMask(BOOK_ACCRUAL));
  }

  /** Base rows in [lo, hi) whose category is in `mask` (see categoryMask): O(log n). */
  countIn(lo: number, hi: number, mask: number): number {
    lo = Math.max(0, lo);
    hi = Math.min(this.total, hi);
    if (hi <= lo) return 0;
    mask &= ALL_CATEGORIES;
    if (mask === ALL_CATEGORIES) return hi - lo;
    if (mask === 0) return 0;
    const bl = this.batchOf(lo);
    const bh = hi >= this.total ? this.batches : this.batchOf(hi);
    let n = 0;
    for (let c = 0; c < CATEGORY_COUNT; c++) if (mask & (1 << c)) n += this.categoryPrefix(hi, bh, c) - this.categoryPrefix(lo, bl, c);
    return n;
  }

  /** Base rows of category c with index < i, where b is the batch holding i (batches when i = total). */
  private categoryPrefix(i: number, b: number, c: number): number {
    const before = this.catBefore[b * CATEGORY_COUNT + c]!;
    return b < this.batches && this.batchCat[b] === c ? before + i - this.batchStart[b]! : before;
  }

  /** Base index of a RECORDNO, or -1 if the RECORDNO is not a base row. */
  indexOfRecordNo(recordNo: number): number {
    const i = recordNo - this.firstRecordNo;
    return Number.isInteger(i) && i >= 0 && i < this.total ? i : -1;
  }

  /** Sorted base indices that are not served from the generator (edited or deleted). */
  excluded(): { sorted: Int32Array; set: Set<number> } {
    if (!this.excludedCache || !this.excludedSetCache) {
      const idx: number[] = [];
      for (const rno of this.overrides.keys()) {
        const i = this.indexOfRecordNo(rno);
        if (i >= 0) idx.push(i);
      }
      for (const rno of this.deleted) {
        const i = this.indexOfRecordNo(rno);
        if (i >= 0) idx.push(i);
      }
      this.excludedCache = Int32Array.from(new Set(idx)).sort();
      this.excludedSetCache = new Set(this.excludedCache);
    }
    return { sorted: this.excludedCache, set: this.excludedSetCache };
  }

  /** Call after any change to overrides/deleted. */
  /** Bumped by every change to GL detail (repeated-answers.ts keys answers by it). */
  revision = 0;

  invalidate(): void {
    this.revision++;
    this.excludedCache = null;
    this.excludedSetCache = null;
  }

  /** The current row for a RECORDNO (text) or entry key (base, edited or added), or undefined if absent/deleted. */
  get(recordNo: string | number): IntacctRecord | undefined {
    const n = this.entryKey(recordNo);
    return n === null ? undefined : this.getByEntry(n);
  }

  private getByEntry(n: number): IntacctRecord | undefined {
    if (this.deleted.has(n)) return undefined;
    const o = this.overrides.get(n);
    if (o) return o;
    const i = this.indexOfRecordNo(n);
    return i >= 0 ? this.baseRow(i) : undefined;
  }

  /** The generated base row at index i (pure in (seed, i)): every recorded GLDETAIL field. */
  baseRow(i: number): IntacctRecord {
    const b = this.batchOf(i);
    const c = this.batchTexts(b, 0);
    const rec: IntacctRecord = {};
    for (const id of GL_FIELDS) rec[id] = this.cell(i, b, c, CELL_CODE.get(id) ?? BATCH_CELL, id, false);
    return rec;
  }

  /**
   * `<GLDETAIL>…</GLDETAIL>` for base row i with the given fields, built from pre-escaped pieces:
   * the hot loop of a 2,000-row page, so no record object and no per-value escaping regex. The
   * field list is compiled once per list (rowPlan): which cell each field is, by number, and the
   * text between two values (`</A><B>`), so a row is ~45 concatenations and no lookup by name.
   */
  rowXml(i: number, fields: readonly string[], offsetMinutes: number, tag = 'GLDETAIL'): string {
    const plan = this.rowPlan(fields, tag);
    const b = this.batchOf(i);
    const c = this.batchTexts(b, offsetMinutes);
    const { codes, seps } = plan;
    let out = seps[0]!;
    for (let f = 0; f < codes.length; f++) out += this.cell(i, b, c, codes[f]!, fields[f]!, true) + seps[f + 1]!;
    return out;
  }

  private plan: { fields: readonly string[]; tag: string; codes: Uint8Array; seps: string[] } | null = null;

  private rowPlan(fields: readonly string[], tag: string) {
    const p = this.plan;
    if (p && p.tag === tag && (p.fields === fields || (p.fields.length === fields.length && p.fields.every((x, k) => x === fields[k])))) return p;
    const codes = Uint8Array.from(fields, (id) => CELL_CODE.get(id) ?? BATCH_CELL);
    const seps = fields.map((id, k) => (k === 0 ? `<${tag}>` : `</${fields[k - 1]}>`) + `<${id}>`);
    seps.push(fields.length ? `</${fields[fields.length - 1]}></${tag}>` : `<${tag}></${tag}>`);
    this.plan = { fields, tag, codes, seps };
    return this.plan;
  }

  /** The batch's cache with its shared fields' texts (raw and XML-escaped) for the user's offset. */
  private batchTexts(b: number, offsetMinutes: number): BatchCache & { xml: Map<string, string>; raw: Map<string, string> } {
    const c = this.batchCache(b);
    if (!c.xml || !c.raw || c.xmlOffset !== offsetMinutes) {
      const when = offsetMinutes === 0 ? c.common.WHEN : formatDateTime(this.wmOfBatch(b), offsetMinutes);
      const m = new Map<string, string>();
      for (const [k, v] of Object.entries(c.common)) m.set(k, v);
      m.set('ENTRY_DATE', c.common.BATCH_DATE);
      m.set('WHENMODIFIED', when);
      m.set('MODIFIED', when);
      m.set('AUWHENCREATED', when);
      // One-letter states and flags, as recorded on GLDETAIL (intacct-objects.md "GLDETAIL specifics").
      m.set('STATE', 'P');
      m.set('BATCH_STATE', 'P');
      m.set('ENTRY_STATE', 'P');
      m.set('ADJ', 'F');
      m.set('STATISTICAL', 'F');
      m.set('CREATEDBY', 'WS_MLC');
      m.set('AUCREATEDBY', '1');
      m.set('MODIFIEDBY', '1');
      c.raw = m;
      const esc = new Map<string, string>();
      for (const [k, v] of m) esc.set(k, escapeXml(v));
      c.xml = esc;
      c.xmlOffset = offsetMinutes;
    }
    return c as BatchCache & { xml: Map<string, string>; raw: Map<string, string> };
  }

  /** Cell `code` (field `id`) of base row i in batch b, XML-escaped when `xml`; datetimes in the user's offset. */
  private cell(i: number, b: number, c: BatchCache & { xml: Map<string, string>; raw: Map<string, string> }, code: number, id: string, xml: boolean): string {
    if (code === BATCH_CELL) return (xml ? c.xml.get(id) : c.raw.get(id)) ?? '';
    const k = i - this.batchStart[b]!;
    const cents = c.amounts[k]!;
    const trx = c.trx[k]!;
    const acct = c.accounts[k]!;
    const account = ACCOUNTS[acct]!;
    const h = b * 8 + k;
    switch (code) {
      case Cell.RECORDNO:
        return glRecordNo(BATCH_KEY_BASE + b, this.firstRecordNo + i, 30_001 + k, c.book);
      case Cell.GLENTRYKEY:
        return String(this.firstRecordNo + i);
      case Cell.LINE_NO:
        return String(k + 1);
      case Cell.ACCOUNTNO:
        return account.no;
      case Cell.ACCOUNTTITLE:
        return xml ? escapedAccountTitles[acct]! : account.title;
      case Cell.AMOUNT:
        return centsToText(cents);
      case Cell.DEBITAMOUNT:
        return cents >= 0 ? centsToText(cents) : '0';
      case Cell.CREDITAMOUNT:
        return cents < 0 ? centsToText(-cents) : '0';
      case Cell.TRX_AMOUNT:
        return centsToText(trx);
      case Cell.TRX_DEBITAMOUNT:
        return trx >= 0 ? centsToText(trx) : '0';
      case Cell.TRX_CREDITAMOUNT:
        return trx < 0 ? centsToText(-trx) : '0';
      case Cell.TR_TYPE:
        return cents >= 0 ? '1' : '-1';
      case Cell.DEPARTMENTID:
      case Cell.DEPARTMENTTITLE: {
        if (account.type !== 'incomestatement') return '';
        const d = hash3(this.seed, h, 30) % DEPARTMENTS.length;
        return code === Cell.DEPARTMENTID ? DEPARTMENTS[d]!.id : xml ? escapedDepartmentTitles[d]! : DEPARTMENTS[d]!.title;
      }
      case Cell.CLASSID:
      case Cell.CLASSNAME:
      case Cell.CLASSDIMKEY: {
        if (account.type !== 'incomestatement') return '';
        const x = hash3(this.seed, h, 32) % CLASSES.length;
        return code === Cell.CLASSID ? CLASSES[x]!.id : code === Cell.CLASSDIMKEY ? String(x + 1) : xml ? escapedClasses[x]! : CLASSES[x]!.name;
      }
      case Cell.EMPLOYEEID:
      case Cell.EMPLOYEENAME:
      case Cell.EMPLOYEEDIMKEY: {
        if (c.common.MODULEKEY !== '2.GL' || c.common.SYMBOL !== 'PRJ') return '';
        const x = hash3(this.seed, h, 33) % EMPLOYEES.length;
        return code === Cell.EMPLOYEEID ? EMPLOYEES[x]!.id : code === Cell.EMPLOYEEDIMKEY ? String(x + 1) : xml ? escapedEmployees[x]! : EMPLOYEES[x]!.name;
      }
      case Cell.DESCRIPTION:
        return xml ? escapedAccountTitles[acct]! + ' — ' + c.xml.get('BATCH_TITLE')! : account.title + ' — ' + c.common.BATCH_TITLE;
      case Cell.GLDIMSALES_CHANNEL: {
        const x = hash3(this.seed, h, 31) % programs.length;
        return xml ? escapedPrograms[x]! : programs[x]!;
      }
      default:
        return '';
    }
  }

  private batchCache(b: number): BatchCache {
    if (this.cache && this.cache.b === b) return this.cache;
    const s = this.seed;
    const n = this.batchStart[b + 1]! - this.batchStart[b]!;
    const wm = this.wmOfBatch(b);
    // Dated on the day it was posted, so BATCH_DATE is non-decreasing in RECORDNO like WHENMODIFIED
    // (gl-query.ts answers date-window backfills by binary search too).
    const batchDay = Math.floor(wm / DAY_MS) * DAY_MS;
    const kind = hash3(s, b, 1) % 100;
    // Bills, invoices, customer receipts (CR), vendor payments (CM), payroll, and journal entries.
    const module = kind < 30 ? 'AP' : kind < 55 ? 'AR' : kind < 73 ? 'CR' : kind < 83 ? 'CM' : kind < 92 ? 'PR' : 'GL';
    const loc = this.locationOfBatch(b);
    const ent = ENTITIES[loc.entity];
    const vendor = module === 'AP' || module === 'CM' ? this.vendors[hash3(s, b, 5) % this.vendors.length] : undefined;
    const date = formatDate(batchDay);
    const docno =
      module === 'AP'
        ? `INV-${(hash3(s, b, 7) % 900000) + 100000}`
        : module === 'AR'
          ? `SI-${b + 10000}`
          : module === 'CR'
            ? `RCPT-${b + 10000}`
            : module === 'CM'
              ? `CHK ${b + 5000}`
              : '';
    const title =
      module === 'AP'
        ? `Vendor bill ${docno} - ${vendor?.name ?? ''}`
        : module === 'AR'
          ? `Customer invoice ${docno}`
          : module === 'CR'
            ? `Customer payment ${docno}`
            : module === 'CM'
              ? `Payment to ${vendor?.name ?? ''}`
              : module === 'PR'
                ? `Payroll for period ending ${date}`
                : `Month-end accruals & adjustments "${date.slice(0, 2)}/${date.slice(6)}"`;
    // Each document posts where it would in a real ledger (postingPlan): a vendor bill debits
    // expense accounts and credits payables, an invoice credits revenue and debits receivables, a
    // receipt credits receivables and debits cash, a payment debits payables and credits cash,
    // payroll debits payroll expense. One line in five goes the other way (credit memos, returns,
    // reversals). Invoices are larger than bills, so the demo company earns a profit most months,
    // and collects most of what it invoices, as a going concern does.
    const plan = postingPlan[module]!;
    const amounts: number[] = [];
    const accounts: number[] = [];
    let sum = 0;
    for (let k = 0; k < n - 1; k++) {
      let cents = Math.round((500 + (hash3(s, b * 8 + k, 10) % 2_500_000)) * plan.scale);
      if (hash3(s, b * 8 + k, 11) % 5 === 0) cents = -cents;
      if (plan.credit) cents = -cents;
      amounts.push(cents);
      sum += cents;
      const pool = module === 'GL' && k % 2 === 1 ? balanceAccounts : plan.lines;
      accounts.push(pool[hash3(s, b * 8 + k, 12) % pool.length]!);
    }
    // The closing line balances the batch: debits equal credits per batch.
    amounts.push(n === 1 ? 500 + (hash3(s, b, 13) % 100_000) : -sum);
    const closing = plan.closing ?? balanceAccounts[hash3(s, b, 14) % balanceAccounts.length]!;
    accounts.push(closing);
    // Each entity keeps its books in its own base currency; some documents are in another
    // transaction currency (a EUR vendor of the US entity, USD sales of the Canadian one), so
    // TRX_* differ from the base amounts the tie-out sums.
    const base = loc.entity === 1 ? 'CAD' : 'USD';
    const foreign =
      module === 'AP' || module === 'CM'
        ? vendor?.currency !== base && vendor?.currency === 'EUR'
          ? 'EUR'
          : null
        : module === 'AR' && loc.entity === 1 && hash3(s, b, 15) % 4 === 0
          ? 'USD'
          : null;
    const trxCurrency = foreign ?? base;
    // Base units per transaction unit.
    const rate = trxCurrency === base ? 1 : trxCurrency === 'EUR' ? RATE_TO_USD.EUR! : 1 / RATE_TO_USD.CAD!;
    const trx = amounts.map((x) => (rate === 1 ? x : Math.round(x / rate)));
    const book = (this.batchCat[b]! & 1) === 1 ? 'CASH' : 'ACCRUAL';
    const project = module === 'PR' || module === 'GL' ? null : hash3(s, b, 16) % 5 === 0 ? PROJECTS[hash3(s, b, 17) % PROJECTS.length]! : null;
    const customer = module === 'AR' || module === 'CR' ? CUSTOMERS[hash3(s, b, 18) % CUSTOMERS.length]! : null;
    this.cache = {
      b,
      xml: null,
      raw: null,
      xmlOffset: 0,
      book: book.toLowerCase(),
      common: {
        BATCHKEY: String(BATCH_KEY_BASE + b),
        BATCH_DATE: date,
        BATCH_NO: String(b + 1),
        BATCH_TITLE: title,
        // The journal is SYMBOL on GLDETAIL; there is no JOURNAL field (intacct-objects.md "GLDETAIL specifics").
        SYMBOL: plan.symbol,
        BOOKID: book,
        MODULEKEY: plan.moduleKey,
        CURRENCY: trxCurrency,
        BASECURR: base,
        LOCATIONID: loc.id,
        LOCATIONNAME: loc.name,
        VENDORID: vendor?.id ?? '',
        VENDORNAME: vendor?.name ?? '',
        DOCNUMBER: docno,
        WHEN: formatDateTime(wm),
        // WHENCREATED is a DATE on GLDETAIL (intacct-objects.md "WHENMODIFIED / WHENCREATED").
        WHENCREATED: date,
        // The owning entity comes through the location (no MEGAENTITY* on GLDETAIL).
        CHILDENTITY: ent.id,
        PROJECTID: project?.id ?? '',
        PROJECTNAME: project?.name ?? '',
        CUSTOMERID: customer?.id ?? '',
        CUSTOMERNAME: customer?.name ?? '',
      },
      amounts,
      trx,
      accounts,
    };
    return this.cache;
  }
}
