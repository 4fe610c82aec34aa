/**
 * The emulator's deterministic sample company: chart of accounts, departments, locations, vendors,
 * a year of AP bills (with lines) and payments (with payment-to-bill details, partial payments
 * included), and GL detail for books ACCRUAL and CASH (see gl-ledger.ts).
 *
 * Tests change it between reads with add/edit/remove; like Intacct, every change moves the
 * record's WHENMODIFIED to the (injected) clock's now, and changes to audited objects are written
 * to AUDITHISTORY (intacct-xml.md §5 "Deletes").
 */
import type { Clock } from '../../clock';
import { DAY_MS, formatDate, formatDateTime } from './intacct-dates';
import { GlLedger } from './gl-ledger';
import { objectSpec, type IntacctRecord, type ObjectSpec } from './object-catalog';
import { ACCOUNTS, DEPARTMENTS, ENTITIES, LOCATIONS, vendorSeeds, type VendorSeed } from './sample-reference-data';
import { centsToText, decimalToUnits, unitsToDecimal } from './sample-hash';
import { seededRandom } from '../../util/seeded-random';

/** Options of the sample company; only the clock is required. */
export interface SampleCompanyOptions {
  seed?: number;
  /** ACCRUAL GL detail rows (CASH rows come on top, about a third as many). */
  glRows?: number;
  vendors?: number;
  bills?: number;
  clock: Clock;
  /** API user id written to AUDITHISTORY. */
  userId?: string;
}

/** A record filter for the test helpers. */
export type RecordPredicate = (r: IntacctRecord) => boolean;

interface Table {
  spec: ObjectSpec;
  rows: Map<number, IntacctRecord>;
  nextRecordNo: number;
}

/** The sample company's records and the mutations tests use. */
export class SampleCompany {
  readonly gl: GlLedger;
  readonly vendors: readonly VendorSeed[];
  /** Small objects, by object name: RECORDNO → record. */
  readonly tables = new Map<string, Table>();
  /** The period the base data covers (UTC ms). */
  readonly periodStart: number;
  readonly periodEnd: number;
  private readonly clock: Clock;
  private readonly userId: string;
  private auditId = 1;

  constructor(opts: SampleCompanyOptions) {
    const seed = opts.seed ?? 42;
    this.clock = opts.clock;
    this.userId = opts.userId ?? 'ws_mlconnector';
    // Base data covers the calendar year before the clock's start, so every later change moves
    // WHENMODIFIED forward, as in a live company.
    const year = new Date(opts.clock.now()).getUTCFullYear() - 1;
    this.periodStart = Date.UTC(year, 0, 2, 8, 0, 0);
    this.periodEnd = Date.UTC(year, 11, 31, 18, 0, 0);
    this.vendors = vendorSeeds(opts.vendors ?? 420);
    this.gl = new GlLedger({
      seed,
      accrualRows: opts.glRows ?? 5000,
      startMs: this.periodStart,
      spanMs: this.periodEnd - this.periodStart,
      vendors: this.vendors,
    });
    for (const name of ['GLACCOUNT', 'VENDOR', 'DEPARTMENT', 'LOCATION', 'APBILL', 'APBILLITEM', 'APPYMT', 'APPYMTDETAIL', 'AUDITHISTORY']) {
      this.tables.set(name, { spec: objectSpec(name)!, rows: new Map(), nextRecordNo: 1 });
    }
    this.build(seed, opts.bills ?? 1500);
  }

  // ---- reading ----------------------------------------------------------------------------

  /** The small-object table (not GLDETAIL). */
  table(object: string): Table | undefined {
    return this.tables.get(object.toUpperCase());
  }

  /** One record by RECORDNO (AUDITHISTORY by ID), or undefined. */
  get(object: string, recordNo: number): IntacctRecord | undefined {
    if (object.toUpperCase() === 'GLDETAIL') return this.gl.get(recordNo);
    return this.table(object)?.rows.get(recordNo);
  }

  /** Every current record of an object, in RECORDNO order, optionally filtered. Lazy for GLDETAIL. */
  *list(object: string, filter?: RecordPredicate): Generator<IntacctRecord> {
    const name = object.toUpperCase();
    if (name === 'GLDETAIL') {
      const gl = this.gl;
      const extras = [...gl.overrides.entries()].filter(([rno]) => !gl.deleted.has(rno)).sort((a, b) => a[0] - b[0]);
      let x = 0;
      for (let i = 0; i < gl.total; i++) {
        const rno = gl.firstRecordNo + i;
        while (x < extras.length && extras[x]![0] < rno) {
          const rec = extras[x++]![1];
          if (!filter || filter(rec)) yield rec;
        }
        if (gl.deleted.has(rno) || gl.overrides.has(rno)) continue;
        const rec = gl.baseRow(i);
        if (!filter || filter(rec)) yield rec;
      }
      while (x < extras.length) {
        const rec = extras[x++]![1];
        if (!filter || filter(rec)) yield rec;
      }
      return;
    }
    const t = this.table(name);
    if (!t) throw new RangeError(`Unknown object ${object}`);
    const keys = [...t.rows.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      const rec = t.rows.get(k)!;
      if (!filter || filter(rec)) yield rec;
    }
  }

  /** All records of an object (GLDETAIL lazily), in RECORDNO order. */
  rows(object: string): Generator<IntacctRecord> {
    return this.list(object);
  }

  /** How many records match. */
  count(object: string, filter?: RecordPredicate): number {
    let n = 0;
    for (const _ of this.list(object, filter)) n++;
    return n;
  }

  /** Exact sum of a decimal field over matching records, as canonical text with 2 decimals. */
  sumAmount(object: string, field = 'AMOUNT', filter?: RecordPredicate): string {
    let units = 0n;
    for (const r of this.list(object, filter)) {
      const v = r[field];
      if (v) units += decimalToUnits(v, 2);
    }
    return unitsToDecimal(units, 2);
  }

  /** Sum of AMOUNT for the ACCRUAL book of GL detail (the figure the integration tests tie out). */
  sumAmounts(): string {
    return this.sumAmount('GLDETAIL', 'AMOUNT', (r) => r.BOOKID === 'ACCRUAL');
  }

  // ---- mutations --------------------------------------------------------------------------

  private nowText(): string {
    return formatDateTime(Math.floor(this.clock.now() / 1000) * 1000);
  }

  /** Adds a record; returns its RECORDNO. Unset fields are null; WHENCREATED/WHENMODIFIED = now. */
  add(object: string, fields: Record<string, string>): number {
    const name = object.toUpperCase();
    const now = this.nowText();
    if (name === 'GLDETAIL') {
      const rno = this.gl.nextRecordNo++;
      const rec: IntacctRecord = { ...this.emptyRecord(name), ...upper(fields), RECORDNO: String(rno), WHENCREATED: now, WHENMODIFIED: now };
      this.gl.overrides.set(rno, rec);
      this.gl.invalidate();
      return rno;
    }
    const t = this.mustTable(name);
    const rno = t.nextRecordNo++;
    const rec: IntacctRecord = { ...this.emptyRecord(name), ...upper(fields), RECORDNO: String(rno), WHENCREATED: now, WHENMODIFIED: now };
    t.rows.set(rno, rec);
    this.audit(t.spec, rno, 'C', rec);
    return rno;
  }

  /** Changes fields of a record; WHENMODIFIED moves to now. Throws if the record does not exist. */
  edit(object: string, recordNo: number, fields: Record<string, string>): IntacctRecord {
    const name = object.toUpperCase();
    const current = this.get(name, recordNo);
    if (!current) throw new RangeError(`${name} ${recordNo} does not exist`);
    const rec: IntacctRecord = { ...current, ...upper(fields), RECORDNO: String(recordNo), WHENMODIFIED: this.nowText() };
    if (name === 'GLDETAIL') {
      this.gl.overrides.set(recordNo, rec);
      this.gl.invalidate();
      return rec;
    }
    const t = this.mustTable(name);
    t.rows.set(recordNo, rec);
    this.audit(t.spec, recordNo, 'M', rec);
    return rec;
  }

  /** Deletes a record (AUDITHISTORY gets an ACCESSMODE 'D' entry for audited objects). */
  remove(object: string, recordNo: number): void {
    const name = object.toUpperCase();
    const current = this.get(name, recordNo);
    if (!current) throw new RangeError(`${name} ${recordNo} does not exist`);
    if (name === 'GLDETAIL') {
      this.gl.overrides.delete(recordNo);
      this.gl.deleted.add(recordNo);
      this.gl.invalidate();
      return;
    }
    const t = this.mustTable(name);
    t.rows.delete(recordNo);
    this.audit(t.spec, recordNo, 'D', current);
  }

  private mustTable(name: string): Table {
    const t = this.table(name);
    if (!t || name === 'AUDITHISTORY') throw new RangeError(`Cannot change ${name}`);
    return t;
  }

  private emptyRecord(name: string): IntacctRecord {
    const rec: IntacctRecord = {};
    for (const f of objectSpec(name)!.fields) rec[f.id] = '';
    return rec;
  }

  private audit(spec: ObjectSpec, recordNo: number, mode: 'C' | 'M' | 'D', rec: IntacctRecord): void {
    if (!spec.audited) return;
    const t = this.tables.get('AUDITHISTORY')!;
    const id = this.auditId++;
    t.rows.set(id, {
      ID: String(id),
      OBJECTTYPE: spec.auditType,
      OBJECTKEY: String(recordNo),
      OBJECTDESC: rec.NAME || rec.TITLE || rec.RECORDID || rec.VENDORID || '',
      ACCESSMODE: mode,
      ACCESSTIME: this.nowText(),
      SOURCE: 'api',
      USERID: this.userId,
    });
  }

  // ---- building ---------------------------------------------------------------------------

  private put(name: string, rec: IntacctRecord): number {
    const t = this.tables.get(name)!;
    const rno = t.nextRecordNo++;
    const full = { ...this.emptyRecord(name), ...rec, RECORDNO: String(rno) };
    t.rows.set(rno, full);
    return rno;
  }

  private build(seed: number, billCount: number): void {
    const rnd = seededRandom(seed ^ 0x5eed);
    const start = this.periodStart;
    const span = this.periodEnd - this.periodStart;
    const setupAt = formatDateTime(start - 30 * DAY_MS);
    const when = (frac: number) => formatDateTime(start + Math.floor((span * Math.min(1, Math.max(0, frac))) / 1000) * 1000);
    const entityFields = (e: 0 | 1 | null) =>
      e === null ? { MEGAENTITYKEY: '', MEGAENTITYID: '', MEGAENTITYNAME: '' } : { MEGAENTITYKEY: ENTITIES[e].key, MEGAENTITYID: ENTITIES[e].id, MEGAENTITYNAME: ENTITIES[e].name };

    for (const a of ACCOUNTS) {
      this.put('GLACCOUNT', {
        ACCOUNTNO: a.no, TITLE: a.title, ACCOUNTTYPE: a.type, NORMALBALANCE: a.normal,
        CLOSINGTYPE: a.type === 'incomestatement' ? 'closing account' : 'non-closing account',
        CLOSINGACCOUNTNO: a.type === 'incomestatement' ? '3020' : '', CATEGORY: a.category,
        STATUS: rnd() < 0.03 ? 'inactive' : 'active', REQUIREDEPT: String(a.type === 'incomestatement'), REQUIRELOC: 'true',
        ...entityFields(null), WHENCREATED: setupAt, WHENMODIFIED: rnd() < 0.2 ? when(rnd()) : setupAt, CREATEDBY: '1', MODIFIEDBY: '1',
      });
    }
    for (const d of DEPARTMENTS) {
      this.put('DEPARTMENT', { DEPARTMENTID: d.id, TITLE: d.title, PARENTID: d.parent, STATUS: 'active', WHENCREATED: setupAt, WHENMODIFIED: setupAt, CREATEDBY: '1', MODIFIEDBY: '1' });
    }
    for (const l of LOCATIONS) {
      this.put('LOCATION', { LOCATIONID: l.id, NAME: l.name, PARENTID: l.parent, STATUS: 'active', ...entityFields(l.entity), WHENCREATED: setupAt, WHENMODIFIED: setupAt, CREATEDBY: '1', MODIFIEDBY: '1' });
    }
    const vendorRecordNo = new Map<string, number>();
    for (const v of this.vendors) {
      const created = rnd() < 0.8 ? setupAt : when(rnd());
      const rno = this.put('VENDOR', {
        VENDORID: v.id, NAME: v.name, PARENTID: '', STATUS: rnd() < 0.05 ? 'inactive' : 'active', VENDTYPE: v.type, TERMNAME: v.term,
        TAXID: `${10 + Math.floor(rnd() * 89)}-${String(Math.floor(rnd() * 9_999_999)).padStart(7, '0')}`,
        CREDITLIMIT: centsToText(Math.floor(rnd() * 20) * 500_000), TOTALDUE: '0', ONHOLD: String(rnd() < 0.04), ONETIME: 'false',
        CURRENCY: v.currency, APACCOUNT: '2000', VENDOR_RISK_RATING: ['Low', 'Medium', 'High', ''][Math.floor(rnd() * 4)]!,
        ...entityFields(v.entity), WHENCREATED: created, WHENMODIFIED: created, CREATEDBY: '1', MODIFIEDBY: '1',
      });
      vendorRecordNo.set(v.id, rno);
    }

    // A year of bills, each with 1-4 lines; about 70% fully paid, 10% partially paid.
    const expense = ACCOUNTS.filter((a) => a.type === 'incomestatement' && a.category !== 'Revenue');
    const opLocations = LOCATIONS.filter((l) => l.parent !== '');
    const dueByVendor = new Map<string, number>();
    const payments: { vendor: VendorSeed; at: number; items: { bill: number; line: number; cents: number }[] }[] = [];
    for (let n = 0; n < billCount; n++) {
      const frac = n / billCount;
      const created = start + Math.floor((span * frac * 0.92) / 1000) * 1000;
      const vendor = this.vendors[Math.floor(rnd() * this.vendors.length)]!;
      const loc = opLocations.filter((l) => l.entity === vendor.entity)[Math.floor(rnd() * 3)] ?? opLocations[0]!;
      const lineCount = 1 + Math.floor(rnd() * 4);
      const lines: { account: (typeof ACCOUNTS)[number]; cents: number; dept: (typeof DEPARTMENTS)[number] }[] = [];
      let total = 0;
      for (let k = 0; k < lineCount; k++) {
        const cents = 1_000 + Math.floor(rnd() * 1_500_000);
        total += cents;
        lines.push({ account: expense[Math.floor(rnd() * expense.length)]!, cents, dept: DEPARTMENTS[Math.floor(rnd() * DEPARTMENTS.length)]! });
      }
      const paidRoll = rnd();
      const paidCents = paidRoll < 0.7 ? total : paidRoll < 0.8 ? Math.floor(total * (0.2 + rnd() * 0.6)) : 0;
      const payAt = created + (10 + Math.floor(rnd() * 40)) * DAY_MS;
      const modified = paidCents > 0 ? payAt + 3_600_000 : created + 600_000;
      const docno = `INV-${(n * 7919) % 1_000_000}`;
      const billRno = this.put('APBILL', {
        RECORDTYPE: 'apbill', RECORDID: `B${String(n + 1).padStart(6, '0')}`, VENDORID: vendor.id, VENDORNAME: vendor.name, DOCNUMBER: docno,
        DESCRIPTION: rnd() < 0.15 ? '' : `${lines[0]!.account.title} for ${loc.name}`,
        STATE: paidCents === total ? 'Paid' : paidCents > 0 ? 'Partially Paid' : 'Posted', TERMNAME: vendor.term,
        WHENPOSTED: formatDate(created), WHENDUE: formatDate(created + 30 * DAY_MS), WHENPAID: paidCents === total ? formatDate(payAt) : '',
        TOTALENTERED: centsToText(total), TOTALPAID: centsToText(paidCents), TOTALDUE: centsToText(total - paidCents),
        TRX_TOTALENTERED: centsToText(total), CURRENCY: vendor.currency, BASECURR: vendor.currency, MODULEKEY: '3.AP',
        ...entityFields(vendor.entity), WHENCREATED: formatDateTime(created), WHENMODIFIED: formatDateTime(Math.min(modified, this.periodEnd)), CREATEDBY: '1', MODIFIEDBY: '1',
      });
      const lineRnos: number[] = [];
      lines.forEach((l, k) => {
        lineRnos.push(
          this.put('APBILLITEM', {
            RECORDKEY: String(billRno), LINE_NO: String(k + 1), ACCOUNTNO: l.account.no, ACCOUNTTITLE: l.account.title, AMOUNT: centsToText(l.cents), TRX_AMOUNT: centsToText(l.cents),
            DEPARTMENTID: l.dept.id, LOCATIONID: loc.id, ENTRYDESCRIPTION: k === 0 && rnd() < 0.3 ? `Qty ${1 + Math.floor(rnd() * 50)} @ "spec" & <rush>` : '', VENDORID: vendor.id,
            ENTRY_DATE: formatDate(created), GLDIMPROGRAM: rnd() < 0.3 ? 'Lean 2025' : '', ...entityFields(vendor.entity),
            WHENCREATED: formatDateTime(created), WHENMODIFIED: formatDateTime(created), CREATEDBY: '1', MODIFIEDBY: '1',
          }),
        );
      });
      dueByVendor.set(vendor.id, (dueByVendor.get(vendor.id) ?? 0) + total - paidCents);
      if (paidCents > 0) {
        // Spread the payment over the bill's lines in order (a partial payment covers the first lines).
        let left = paidCents;
        const items = lines.map((l, k) => {
          const c = Math.min(left, l.cents);
          left -= c;
          return { bill: billRno, line: lineRnos[k]!, cents: c };
        }).filter((x) => x.cents > 0);
        // Some payments settle two bills of the same vendor at once.
        const prev = payments[payments.length - 1];
        if (prev && prev.vendor.id === vendor.id && Math.abs(prev.at - payAt) < 20 * DAY_MS) prev.items.push(...items);
        else payments.push({ vendor, at: payAt, items });
      }
    }
    const methods = ['Printed Check', 'EFT', 'ACH', 'Credit Card'];
    for (const p of payments.sort((a, b) => a.at - b.at)) {
      const at = Math.min(p.at, this.periodEnd);
      const total = p.items.reduce((s, x) => s + x.cents, 0);
      const method = methods[Math.floor(rnd() * methods.length)]!;
      const payRno = this.put('APPYMT', {
        PRBATCHKEY: String(9000 + Math.floor(at / DAY_MS) % 1000), RECORDTYPE: 'appayment', RECORDID: '', VENDORID: p.vendor.id, VENDORNAME: p.vendor.name,
        PAYMENTMETHOD: method, PAYMENTDATE: formatDate(at), DOCNUMBER: method === 'Printed Check' ? String(10_000 + Math.floor(rnd() * 90_000)) : '',
        DESCRIPTION: rnd() < 0.5 ? '' : `Payment run ${formatDate(at)}`, STATE: 'Posted',
        FINANCIALENTITY: p.vendor.currency === 'CAD' ? 'BLN-CAD' : 'FNB-OPER', TOTALENTERED: centsToText(total), CURRENCY: p.vendor.currency, BASECURR: p.vendor.currency,
        ...entityFields(p.vendor.entity), WHENCREATED: formatDateTime(at), WHENMODIFIED: formatDateTime(at + 3_600_000 > this.periodEnd ? at : at + 3_600_000), CREATEDBY: '1', MODIFIEDBY: '1',
      });
      for (const x of p.items) {
        this.put('APPYMTDETAIL', {
          PAYMENTKEY: String(payRno), RECORDKEY: String(x.bill), ENTRYKEY: String(x.line), PAYMENTAMOUNT: centsToText(x.cents), TRX_PAYMENTAMOUNT: centsToText(x.cents),
          PAYMENTDATE: formatDate(at), STATE: 'Posted', WHENCREATED: formatDateTime(at), WHENMODIFIED: formatDateTime(at), CREATEDBY: '1', MODIFIEDBY: '1',
        });
      }
    }
    for (const [vid, due] of dueByVendor) {
      const rec = this.tables.get('VENDOR')!.rows.get(vendorRecordNo.get(vid)!)!;
      rec.TOTALDUE = centsToText(due);
    }
  }
}

function upper(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k.toUpperCase()] = v;
  return out;
}
