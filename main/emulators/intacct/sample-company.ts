/**
 * The emulator's deterministic sample company: chart of accounts, departments, locations, vendors,
 * a year of AP bills (with lines) and payments (with payment-to-bill details, partial payments
 * included), and GL detail for books ACCRUAL and CASH (see gl-ledger.ts).
 *
 * Tests change it between reads with add/edit/remove; like Intacct, every change moves the
 * record's WHENMODIFIED to the (injected) clock's now, and changes to audited objects are written
 * to AUDITHISTORY (intacct-xml.md §5 "Deletes").
 */
import type { Clock } from '../../core/clock';
import { DAY_MS, formatDate, formatDateTime } from './intacct-dates';
import { GlLedger } from './gl-ledger';
import { objectSpec, type IntacctRecord, type ObjectSpec } from './object-catalog';
import { ACCOUNTS, CLASSES, DEPARTMENTS, EMPLOYEES, ENTITIES, LOCATIONS, vendorSeeds, type VendorSeed } from './sample-reference-data';
import { ADDED_BATCH_KEY_BASE, glRecordNo } from './gl-ledger';
import { centsToText, decimalToUnits, unitsToDecimal } from './sample-hash';
import { seededRandom } from '../../core/util/seeded-random';
import { applyCreditInline, vendorCredits } from './sample-vendor-credits';

/** USD per EUR in the sample company (EUR vendors bill the US entity). */
const EUR_TO_USD = 1.0875;
/** The sample company's first fiscal month (LOCATION.FIRSTMONTH of its entities): April, so tests see a fiscal year that does not start in January. */
export const SAMPLE_FISCAL_YEAR_START_MONTH = 4;

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
  private addedBatches = 0;

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
    for (const name of [
      'GLACCOUNT',
      'VENDOR',
      'DEPARTMENT',
      'LOCATION',
      'CLASS',
      'EMPLOYEE',
      'APBILL',
      'APBILLITEM',
      'APPYMT',
      'APPYMTDETAIL',
      'AUDITHISTORY',
    ]) {
      this.tables.set(name, { spec: objectSpec(name)!, rows: new Map(), nextRecordNo: 1 });
    }
    this.build(seed, opts.bills ?? 1500);
    this.addRecordsWithoutWhenModified();
  }

  /**
   * A few records created with an empty WHENMODIFIED, as production connectors report for new
   * records (intacct-xml.md §9, Estuary PR #4465): a balanced GL entry and a bill with its line.
   * No WHENMODIFIED window matches them, so a client must read them some other way.
   */
  private addRecordsWithoutWhenModified(): void {
    const day = formatDate(this.periodEnd);
    const none = { whenModified: null } as const;
    for (const [account, amount] of [
      ['6410', '250'],
      ['6420', '-0.01'],
      ['2000', '-249.99'],
    ] as const) {
      const title = ACCOUNTS.find((a) => a.no === account)!.title;
      const debit = !amount.startsWith('-');
      this.add(
        'GLDETAIL',
        {
          BATCHKEY: '199999',
          BATCH_DATE: day,
          BATCH_NO: '999999',
          BATCH_TITLE: 'Accrual entered without a modification date',
          SYMBOL: 'GJ',
          BOOKID: 'ACCRUAL',
          MODULEKEY: '2.GL',
          LINE_NO: '1',
          ENTRY_DATE: day,
          TR_TYPE: debit ? '1' : '-1',
          ACCOUNTNO: account,
          ACCOUNTTITLE: title,
          LOCATIONID: 'HQ',
          LOCATIONNAME: 'Headquarters "Harbor Point"',
          CURRENCY: 'USD',
          BASECURR: 'USD',
          AMOUNT: amount,
          TRX_AMOUNT: amount,
          DEBITAMOUNT: debit ? amount : '0',
          CREDITAMOUNT: debit ? '0' : amount.slice(1),
          TRX_DEBITAMOUNT: debit ? amount : '0',
          TRX_CREDITAMOUNT: debit ? '0' : amount.slice(1),
          STATE: 'P',
          CHILDENTITY: ENTITIES[0].id,
        },
        none,
      );
    }
    const vendor = this.vendors.find((v) => v.entity === 0 && v.currency === 'USD')!;
    const bill = this.add(
      'APBILL',
      {
        RECORDTYPE: 'pi',
        RECORDID: 'B-NOWM-1',
        VENDORID: vendor.id,
        VENDORNAME: vendor.name,
        STATE: 'Posted',
        RAWSTATE: 'A',
        WHENPOSTED: day,
        WHENDUE: day,
        TOTALENTERED: '99.95',
        TOTALPAID: '0',
        TOTALDUE: '99.95',
        TRX_TOTALENTERED: '99.95',
        TRX_TOTALPAID: '0',
        TRX_TOTALDUE: '99.95',
        EXCHANGE_RATE: '1',
        CURRENCY: 'USD',
        BASECURR: 'USD',
        MODULEKEY: '3.AP',
        MEGAENTITYKEY: ENTITIES[0].key,
        MEGAENTITYID: ENTITIES[0].id,
        MEGAENTITYNAME: ENTITIES[0].name,
      },
      none,
    );
    this.add(
      'APBILLITEM',
      {
        RECORDKEY: String(bill),
        LINE_NO: '1',
        ACCOUNTNO: '6410',
        AMOUNT: '99.95',
        TRX_AMOUNT: '99.95',
        LOCATIONID: 'HQ',
        CURRENCY: 'USD',
        BASECURR: 'USD',
        ENTRY_DATE: day,
        STATE: 'A',
      },
      none,
    );
  }

  // ---- reading ----------------------------------------------------------------------------

  /** The small-object table (not GLDETAIL). */
  table(object: string): Table | undefined {
    return this.tables.get(object.toUpperCase());
  }

  /** One record by RECORDNO (AUDITHISTORY by ID; GLDETAIL by its text RECORDNO), or undefined. */
  get(object: string, recordNo: number | string): IntacctRecord | undefined {
    if (object.toUpperCase() === 'GLDETAIL') return this.gl.get(recordNo);
    return this.table(object)?.rows.get(Number(recordNo));
  }

  /** Every current record of an object, in RECORDNO order, optionally filtered. Lazy for GLDETAIL. */
  *list(object: string, filter?: RecordPredicate): Generator<IntacctRecord> {
    const name = object.toUpperCase();
    if (name === 'GLDETAIL') {
      const gl = this.gl;
      // In RECORDNO order, which is text order for GLDETAIL (gl-ledger.ts).
      const extras = [...gl.overrides.entries()].filter(([rno]) => !gl.deleted.has(rno)).sort((a, b) => (a[1].RECORDNO! < b[1].RECORDNO! ? -1 : 1));
      let x = 0;
      for (let i = 0; i < gl.total; i++) {
        const rno = gl.firstRecordNo + i;
        const key = extras.length ? gl.baseKey(i) : '';
        while (x < extras.length && extras[x]![1].RECORDNO! < key) {
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

  /**
   * Adds a record; returns its RECORDNO (GLDETAIL: its text RECORDNO). Unset fields are null;
   * WHENCREATED/WHENMODIFIED = now. `whenModified: null` leaves WHENMODIFIED empty, as production
   * connectors report for some new records (intacct-xml.md §9, Estuary PR #4465).
   */
  add<O extends string>(object: O, fields: Record<string, string>, opts: { whenModified?: null } = {}): O extends 'GLDETAIL' ? string : number {
    type R = O extends 'GLDETAIL' ? string : number;
    const name = object.toUpperCase();
    const now = this.nowText();
    const wm = opts.whenModified === null ? '' : now;
    const created = (spec: ObjectSpec) => (fieldType(spec, 'WHENCREATED') === 'DATE' ? now.slice(0, 10) : now);
    if (name === 'GLDETAIL') {
      const n = this.gl.nextRecordNo++;
      const book = (fields.BOOKID ?? fields.bookid ?? 'ACCRUAL').toUpperCase();
      const key = glRecordNo(ADDED_BATCH_KEY_BASE + this.addedBatches++, n, 30_001, book);
      const rec: IntacctRecord = {
        ...this.emptyRecord(name),
        ...upper(fields),
        RECORDNO: key,
        GLENTRYKEY: String(n),
        WHENCREATED: created(objectSpec(name)!),
        WHENMODIFIED: wm,
      };
      this.gl.overrides.set(n, rec);
      this.gl.invalidate();
      return key as R;
    }
    const t = this.mustTable(name);
    const rno = t.nextRecordNo++;
    const rec: IntacctRecord = { ...this.emptyRecord(name), ...upper(fields), RECORDNO: String(rno), WHENCREATED: created(t.spec), WHENMODIFIED: wm };
    t.rows.set(rno, rec);
    this.audit(t.spec, rno, 'C', rec);
    return rno as R;
  }

  /** Changes fields of a record; WHENMODIFIED moves to now. Throws if the record does not exist. */
  edit(object: string, recordNo: number | string, fields: Record<string, string>): IntacctRecord {
    const name = object.toUpperCase();
    const current = this.get(name, recordNo);
    if (!current) throw new RangeError(`${name} ${recordNo} does not exist`);
    const rec: IntacctRecord = { ...current, ...upper(fields), RECORDNO: current.RECORDNO!, WHENMODIFIED: this.nowText() };
    if (name === 'GLDETAIL') {
      this.gl.overrides.set(this.gl.entryKey(current.RECORDNO!)!, rec);
      this.gl.invalidate();
      return rec;
    }
    const t = this.mustTable(name);
    t.rows.set(Number(recordNo), rec);
    this.audit(t.spec, Number(recordNo), 'M', rec);
    return rec;
  }

  /** Deletes a record (AUDITHISTORY gets an ACCESSMODE 'D' entry for audited objects). */
  remove(object: string, recordNo: number | string): void {
    const name = object.toUpperCase();
    const current = this.get(name, recordNo);
    if (!current) throw new RangeError(`${name} ${recordNo} does not exist`);
    if (name === 'GLDETAIL') {
      const n = this.gl.entryKey(current.RECORDNO!)!;
      this.gl.overrides.delete(n);
      this.gl.deleted.add(n);
      this.gl.invalidate();
      return;
    }
    const t = this.mustTable(name);
    t.rows.delete(Number(recordNo));
    this.audit(t.spec, Number(recordNo), 'D', current);
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
    // The sample company holds only fields the recorded catalog has (object-catalog.ts).
    const unknown = Object.keys(rec).filter((k) => !t.spec.fields.some((f) => f.id === k));
    if (unknown.length) throw new RangeError(`${name} has no field ${unknown.join(', ')} in the recorded catalog`);
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
      e === null
        ? { MEGAENTITYKEY: '', MEGAENTITYID: '', MEGAENTITYNAME: '' }
        : { MEGAENTITYKEY: ENTITIES[e].key, MEGAENTITYID: ENTITIES[e].id, MEGAENTITYNAME: ENTITIES[e].name };

    for (const a of ACCOUNTS) {
      this.put('GLACCOUNT', {
        ACCOUNTNO: a.no,
        TITLE: a.title,
        ACCOUNTTYPE: a.type,
        NORMALBALANCE: a.normal,
        CLOSINGTYPE: a.type === 'incomestatement' ? 'closing account' : 'non-closing account',
        CLOSINGACCOUNTNO: a.type === 'incomestatement' ? '3020' : '',
        CATEGORY: a.category,
        STATUS: rnd() < 0.03 ? 'inactive' : 'active',
        REQUIREDEPT: String(a.type === 'incomestatement'),
        REQUIRELOC: 'true',
        ...entityFields(null),
        WHENCREATED: setupAt,
        WHENMODIFIED: rnd() < 0.2 ? when(rnd()) : setupAt,
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
    }
    for (const d of DEPARTMENTS) {
      this.put('DEPARTMENT', {
        DEPARTMENTID: d.id,
        TITLE: d.title,
        PARENTID: d.parent,
        STATUS: 'active',
        WHENCREATED: setupAt,
        WHENMODIFIED: setupAt,
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
    }
    for (const l of LOCATIONS) {
      // LOCATION has no MEGAENTITY* fields: ENTITY is the parent entity, LOCATIONTYPE E for an entity (intacct-objects.md).
      this.put('LOCATION', {
        LOCATIONID: l.id,
        NAME: l.name,
        PARENTID: l.parent,
        STATUS: 'active',
        ENTITY: ENTITIES[l.entity].id,
        ENTITYNAME: ENTITIES[l.entity].name,
        LOCATIONTYPE: l.parent === '' ? 'E' : 'N',
        CURRENCY: l.entity === 1 ? 'CAD' : 'USD',
        // Both entities keep an April fiscal year (a recorded LOCATION returned FIRSTMONTH as a month
        // number, intacct-exchanges.md); left empty on the other locations (UNCONFIRMED what Intacct
        // returns there), so the models read it from the entities only.
        FIRSTMONTH: l.parent === '' ? String(SAMPLE_FISCAL_YEAR_START_MONTH) : '',
        WHENCREATED: setupAt,
        WHENMODIFIED: setupAt,
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
    }
    for (const c of CLASSES) {
      this.put('CLASS', {
        CLASSID: c.id,
        NAME: c.name,
        DESCRIPTION: '',
        STATUS: 'active',
        PARENTID: c.parent,
        ...entityFields(null),
        WHENCREATED: setupAt,
        WHENMODIFIED: rnd() < 0.3 ? when(rnd()) : setupAt,
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
    }
    for (const e of EMPLOYEES) {
      const loc = LOCATIONS.find((l) => l.id === e.loc)!;
      this.put('EMPLOYEE', {
        EMPLOYEEID: e.id,
        TITLE: '',
        LOCATIONID: e.loc,
        DEPARTMENTID: e.dept,
        STATUS: 'active',
        CONTACT_NAME: e.name,
        'PERSONALINFO.CONTACTNAME': e.name,
        STARTDATE: formatDate(start - 400 * DAY_MS),
        CURRENCY: loc.entity === 1 ? 'CAD' : 'USD',
        ...entityFields(loc.entity),
        WHENCREATED: setupAt,
        WHENMODIFIED: setupAt,
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
    }
    const vendorRecordNo = new Map<string, number>();
    for (const v of this.vendors) {
      const created = rnd() < 0.8 ? setupAt : when(rnd());
      const rno = this.put('VENDOR', {
        VENDORID: v.id,
        NAME: v.name,
        PARENTID: '',
        STATUS: rnd() < 0.05 ? 'inactive' : 'active',
        VENDTYPE: v.type,
        TERMNAME: v.term,
        TAXID: `${10 + Math.floor(rnd() * 89)}-${String(Math.floor(rnd() * 9_999_999)).padStart(7, '0')}`,
        CREDITLIMIT: centsToText(Math.floor(rnd() * 20) * 500_000),
        TOTALDUE: '0',
        ONHOLD: String(rnd() < 0.04),
        ONETIME: 'false',
        CURRENCY: v.currency,
        APACCOUNT: '2000',
        VENDOR_CF_TEXT: ['Low', 'Medium', 'High', ''][Math.floor(rnd() * 4)]!,
        ...entityFields(v.entity),
        WHENCREATED: created,
        WHENMODIFIED: created,
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
      vendorRecordNo.set(v.id, rno);
    }

    // A year of bills, each with 1-4 lines; about 70% fully paid, 10% partially paid.
    const expense = ACCOUNTS.filter((a) => a.type === 'incomestatement' && a.category !== 'Revenue');
    const opLocations = LOCATIONS.filter((l) => l.parent !== '');
    const dueByVendor = new Map<string, number>();
    /** credit: a vendor credit (negative bill) applied inline to this line in the payment, its RECORDNO and the amount used. */
    type PaymentItem = { bill: number; line: number; cents: number; discount: number; credit?: { key: number; cents: number } };
    const payments: { vendor: VendorSeed; at: number; items: PaymentItem[] }[] = [];
    const laterPayments: typeof payments = [];
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
      const payDays = 10 + Math.floor(rnd() * 40);
      // Picked by the bill's number, not drawn, so every other record stays as it was: a 2% early-payment
      // discount taken 8 days after the bill date (APPYMTDETAIL DISCOUNTAMOUNT; TOTALPAID stays the cash
      // paid, UNCONFIRMED against Intacct), a bill paid on its due date, and partially paid bills whose
      // rest is paid 25 days later in a second payment.
      const fullyPaid = paidCents === total;
      const discountCents = fullyPaid && n % 11 === 5 ? Math.round(total * 0.02) : 0;
      const onDueDate = fullyPaid && discountCents === 0 && n % 13 === 7;
      const payAt = created + (discountCents ? 8 : onDueDate ? 30 : payDays) * DAY_MS;
      const secondCents = !fullyPaid && paidCents > 0 && n % 3 === 0 ? total - paidCents : 0;
      const secondAt = payAt + 25 * DAY_MS;
      const cashPaid = paidCents - discountCents + secondCents;
      const settled = fullyPaid || secondCents > 0;
      const lastPayAt = secondCents ? secondAt : payAt;
      const modified = paidCents > 0 ? lastPayAt + 3_600_000 : created + 600_000;
      const docno = `INV-${(n * 7919) % 1_000_000}`;
      // Amounts are kept in the entity's base currency; a EUR vendor's bill has its euro amounts in TRX_*.
      const baseCurr = vendor.entity === 1 ? 'CAD' : 'USD';
      const rate = vendor.currency === 'EUR' ? EUR_TO_USD : 1;
      const trxOf = (c: number) => centsToText(rate === 1 ? c : Math.round(c / rate));
      const billRno = this.put('APBILL', {
        RECORDTYPE: 'pi',
        RECORDID: `B${String(n + 1).padStart(6, '0')}`,
        VENDORID: vendor.id,
        VENDORNAME: vendor.name,
        DOCNUMBER: docno,
        DESCRIPTION: rnd() < 0.15 ? '' : `${lines[0]!.account.title} for ${loc.name}`,
        STATE: settled ? 'Paid' : paidCents > 0 ? 'Partially Paid' : 'Posted',
        RAWSTATE: settled ? 'P' : paidCents > 0 ? 'T' : 'A',
        TERMNAME: vendor.term,
        WHENPOSTED: formatDate(created),
        WHENDUE: formatDate(created + 30 * DAY_MS),
        WHENPAID: settled ? formatDate(Math.min(lastPayAt, this.periodEnd)) : '',
        TOTALENTERED: centsToText(total),
        TOTALPAID: centsToText(cashPaid),
        TOTALDUE: centsToText(settled ? 0 : total - paidCents),
        TRX_TOTALENTERED: trxOf(total),
        TRX_TOTALPAID: trxOf(cashPaid),
        TRX_TOTALDUE: trxOf(settled ? 0 : total - paidCents),
        EXCHANGE_RATE: String(rate),
        CURRENCY: vendor.currency,
        BASECURR: baseCurr,
        MODULEKEY: '3.AP',
        // WHENCREATED is the bill's date (DATE) on APBILL (intacct-objects.md).
        ...entityFields(vendor.entity),
        WHENCREATED: formatDate(created),
        AUWHENCREATED: formatDateTime(created),
        WHENMODIFIED: formatDateTime(Math.min(modified, this.periodEnd)),
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
      const lineRnos: number[] = [];
      lines.forEach((l, k) => {
        lineRnos.push(
          this.put('APBILLITEM', {
            RECORDKEY: String(billRno),
            LINE_NO: String(k + 1),
            ACCOUNTNO: l.account.no,
            ACCOUNTTITLE: l.account.title,
            AMOUNT: centsToText(l.cents),
            TRX_AMOUNT: trxOf(l.cents),
            DEPARTMENTID: l.dept.id,
            DEPARTMENTNAME: l.dept.title,
            LOCATIONID: loc.id,
            LOCATIONNAME: loc.name,
            ENTRYDESCRIPTION: k === 0 && rnd() < 0.3 ? `Qty ${1 + Math.floor(rnd() * 50)} @ "spec" & <rush>` : '',
            VENDORID: vendor.id,
            VENDORNAME: vendor.name,
            CLASSID: CLASSES[(n + k) % CLASSES.length]!.id,
            CLASSNAME: CLASSES[(n + k) % CLASSES.length]!.name,
            CURRENCY: vendor.currency,
            BASECURR: baseCurr,
            EXCHANGE_RATE: String(rate),
            STATE: 'A',
            RECORDTYPE: 'pi',
            ENTRY_DATE: formatDate(created),
            GLDIMSALES_CHANNEL: rnd() < 0.3 ? 'Distributors' : '',
            WHENCREATED: formatDateTime(created),
            WHENMODIFIED: formatDateTime(created),
            CREATEDBY: '1',
            MODIFIEDBY: '1',
          }),
        );
      });
      dueByVendor.set(vendor.id, (dueByVendor.get(vendor.id) ?? 0) + (settled ? 0 : total - paidCents));
      if (paidCents > 0) {
        // Spread the payment over the bill's lines in order (a partial payment covers the first lines).
        let left = paidCents;
        // The discount is taken on the largest line (always larger than 2% of the bill).
        const largest = lines.reduce((best, l, k) => (l.cents > lines[best]!.cents ? k : best), 0);
        const covered = lines.map((l) => {
          const c = Math.min(left, l.cents);
          left -= c;
          return c;
        });
        const items = covered
          .map((c, k): PaymentItem => ({
            bill: billRno,
            line: lineRnos[k]!,
            cents: c - (k === largest ? discountCents : 0),
            discount: k === largest ? discountCents : 0,
          }))
          .filter((x) => x.cents > 0);
        if (secondCents) {
          const rest = lines
            .map((l, k): PaymentItem => ({ bill: billRno, line: lineRnos[k]!, cents: l.cents - covered[k]!, discount: 0 }))
            .filter((x) => x.cents > 0);
          laterPayments.push({ vendor, at: secondAt, items: rest });
        }
        // Some payments settle two bills of the same vendor at once.
        const prev = payments[payments.length - 1];
        if (prev && prev.vendor.id === vendor.id && Math.abs(prev.at - payAt) < 20 * DAY_MS) prev.items.push(...items);
        else payments.push({ vendor, at: payAt, items });
      }
    }
    const credits = vendorCredits({ billCount, start, span, vendors: this.vendors, expense, opLocations, eurToUsd: EUR_TO_USD, periodEnd: this.periodEnd });
    credits.forEach((c, i) => {
      const bill = this.put('APBILL', { ...c.bill, ...entityFields(c.vendor.entity) });
      this.put('APBILLITEM', { ...c.line, RECORDKEY: String(bill) });
      // One credit in three is applied in full to the vendor's next payment that covers a line larger
      // than it (an inline credit: APPYMTDETAIL INLINEKEY/INLINEAMOUNT, intacct-objects.md "AP objects");
      // the cash paid on that line is less by the credit. The others stay open.
      const used = i % 3 === 1 ? applyCreditInline(payments, c, bill) : undefined;
      if (used) {
        Object.assign(this.tables.get('APBILL')!.rows.get(bill)!, {
          STATE: 'Paid',
          RAWSTATE: 'P',
          TOTALDUE: '0',
          TRX_TOTALDUE: '0',
          WHENPAID: formatDate(Math.min(used.at, this.periodEnd)),
          WHENMODIFIED: formatDateTime(Math.min(used.at + 3_600_000, this.periodEnd)),
        });
        // The bill's TOTALPAID stays the cash paid (as with discounts above): less by the credit.
        const target = this.tables.get('APBILL')!.rows.get(used.bill)!;
        const cash = Number(decimalToUnits(target.TOTALPAID!)) + c.cents;
        const rate = Number(target.EXCHANGE_RATE);
        target.TOTALPAID = centsToText(cash);
        target.TRX_TOTALPAID = centsToText(rate === 1 ? cash : Math.round(cash / rate));
      } else dueByVendor.set(c.vendor.id, (dueByVendor.get(c.vendor.id) ?? 0) + c.cents);
    });
    const methods = ['Printed Check', 'EFT', 'ACH', 'Credit Card'];
    for (const p of [...payments, ...laterPayments].sort((a, b) => a.at - b.at)) {
      const at = Math.min(p.at, this.periodEnd);
      const total = p.items.reduce((s, x) => s + x.cents, 0);
      const method = methods[Math.floor(rnd() * methods.length)]!;
      const baseCurr = p.vendor.entity === 1 ? 'CAD' : 'USD';
      const rate = p.vendor.currency === 'EUR' ? EUR_TO_USD : 1;
      const trxOf = (c: number) => centsToText(rate === 1 ? c : Math.round(c / rate));
      const payRno = this.put('APPYMT', {
        PRBATCHKEY: String(9000 + (Math.floor(at / DAY_MS) % 1000)),
        RECORDTYPE: 'pp',
        RECORDID: '',
        VENDORID: p.vendor.id,
        VENDORNAME: p.vendor.name,
        // APPYMT has no PAYMENTDATE: the payment's date is WHENCREATED, a DATE (intacct-objects.md "AP objects").
        PAYMENTMETHOD: method,
        WHENCREATED: formatDate(at),
        WHENPAID: formatDate(at),
        WHENPOSTED: formatDate(at),
        WHENDUE: formatDate(at),
        AUWHENCREATED: formatDateTime(at),
        DOCNUMBER: method === 'Printed Check' ? String(10_000 + Math.floor(rnd() * 90_000)) : '',
        DESCRIPTION: rnd() < 0.5 ? '' : `Payment run ${formatDate(at)}`,
        STATE: 'C',
        RAWSTATE: 'C',
        DISPLAYSTATE: 'Confirmed',
        FINANCIALENTITY: p.vendor.currency === 'CAD' ? 'BLN-CAD' : 'FNB-OPER',
        TOTALENTERED: centsToText(total),
        TOTALPAID: centsToText(total),
        TOTALDUE: '0',
        TRX_TOTALENTERED: trxOf(total),
        TRX_TOTALPAID: trxOf(total),
        EXCHANGE_RATE: String(rate),
        CURRENCY: p.vendor.currency,
        BASECURR: baseCurr,
        ...entityFields(p.vendor.entity),
        WHENMODIFIED: formatDateTime(at + 3_600_000 > this.periodEnd ? at : at + 3_600_000),
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      });
      for (const x of p.items) {
        this.put('APPYMTDETAIL', {
          PAYMENTKEY: String(payRno),
          RECORDKEY: String(x.bill),
          ENTRYKEY: String(x.line),
          PAYMENTAMOUNT: centsToText(x.cents),
          TRX_PAYMENTAMOUNT: trxOf(x.cents),
          ...(x.discount ? { DISCOUNTAMOUNT: centsToText(x.discount), TRX_DISCOUNTAMOUNT: trxOf(x.discount), DISCOUNTDATE: formatDate(at) } : {}),
          ...(x.credit ? { INLINEKEY: String(x.credit.key), INLINEAMOUNT: centsToText(x.credit.cents), TRX_INLINEAMOUNT: trxOf(x.credit.cents) } : {}),
          PAYMENTDATE: formatDate(at),
          CURRENCY: p.vendor.currency,
          STATE: 'C',
          WHENCREATED: formatDateTime(at),
          WHENMODIFIED: formatDateTime(at),
          CREATEDBY: '1',
          MODIFIEDBY: '1',
        });
      }
    }
    for (const [vid, due] of dueByVendor) {
      const rec = this.tables.get('VENDOR')!.rows.get(vendorRecordNo.get(vid)!)!;
      rec.TOTALDUE = centsToText(due);
    }
  }
}

function fieldType(spec: ObjectSpec, id: string): string | undefined {
  return spec.fields.find((f) => f.id === id)?.type;
}

function upper(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k.toUpperCase()] = v;
  return out;
}
