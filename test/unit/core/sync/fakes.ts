/**
 * In-memory fakes of the engine's ports: an Intacct source with keyset paging, a Tableau target that
 * applies batches to rows in memory, a payload writer that keeps "files" in a map, and a store.
 */
import type { ModelsRun } from '../../../../shared/models';
import { ApiError, AuthError } from '../../../../main/core/errors';
import type { Row, StreamDefinition } from '../../../../main/core/streams/types';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { LoadBatch, LoadFn, Page, ReadSpec, SourcePort, StorePort, TargetPort, WritePayloadFn } from '../../../../main/core/sync/ports';
import type { StreamState } from '../../../../main/core/store/types';
import type { FieldInfo } from '../../../../main/core/intacct';
import type { AuditEntry, LogEntry, RunSummary, StreamName, StreamRunResult, TieOut } from '../../../../shared/types';
import { timestampMs } from '../../../../main/core/sync/stream-sync';

export const ts = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** An Intacct company in memory: rows per object, deletions log, request counter. */
export class FakeSource implements SourcePort {
  readonly tables = new Map<string, Map<number, Row>>();
  readonly deleted: { object: string; recordNo: number; deletedAt: number }[] = [];
  transactions = 0;
  auditPermitted = true;
  /** Throws this from every read when set (e.g. an AuthError for a bad password). */
  failWith: Error | null = null;
  /** Called before each page is yielded (to cancel or crash mid-read). */
  onPage: ((pageNo: number, object: string) => void | Promise<void>) | null = null;
  readonly log: string[] = [];
  /** Overrides the stream's page size (to get many pages from little data). */
  pageSize: number | null = null;
  private nextRecordNo = 1000;

  constructor(public now: () => number) {}

  table(object: string): Map<number, Row> {
    let t = this.tables.get(object);
    if (!t) this.tables.set(object, (t = new Map()));
    return t;
  }

  add(object: string, fields: Record<string, string | number | boolean | null>): number {
    const recordNo = this.nextRecordNo++;
    this.table(object).set(recordNo, { ...fields, RECORDNO: recordNo, WHENMODIFIED: ts(this.now()) });
    return recordNo;
  }

  edit(object: string, recordNo: number, fields: Record<string, string | number | boolean | null>): void {
    const row = this.table(object).get(recordNo);
    if (!row) throw new Error(`no ${object} ${recordNo}`);
    this.table(object).set(recordNo, { ...row, ...fields, WHENMODIFIED: ts(this.now()) });
  }

  remove(object: string, recordNo: number): void {
    this.table(object).delete(recordNo);
    this.deleted.push({ object, recordNo, deletedAt: this.now() });
  }

  private select(spec: ReadSpec): Row[] {
    if (this.failWith) throw this.failWith;
    const from = spec.since ? spec.since.whenModified - (spec.lookbackMs ?? 0) : -Infinity;
    const tieBreak = spec.since && !spec.lookbackMs ? spec.since : null;
    const dateCol = spec.dateRange ? spec.columns.find((c) => c.source === spec.dateRange!.column)?.name : undefined;
    return [...this.table(spec.object).values()]
      .filter((r) => {
        const wm = timestampMs(r.WHENMODIFIED);
        if (spec.until !== undefined && wm > spec.until) return false;
        if (wm < from) return false;
        if (tieBreak && wm === tieBreak.whenModified && Number(r.RECORDNO) <= Number(tieBreak.recordNo)) return false;
        for (const f of spec.filters ?? []) if (r[f.field] !== undefined && r[f.field] !== f.value) return false;
        if (dateCol && spec.dateRange?.from && String(r[dateCol]) < spec.dateRange.from) return false;
        return true;
      })
      .sort((a, b) => timestampMs(a.WHENMODIFIED) - timestampMs(b.WHENMODIFIED) || Number(a.RECORDNO) - Number(b.RECORDNO))
      .map((r) => Object.fromEntries(spec.columns.map((c) => [c.name, r[c.name] ?? null])));
  }

  async *readChanged(spec: ReadSpec): AsyncGenerator<Page> {
    this.log.push(`read ${spec.object}${spec.since ? ' since' : ''}`);
    const rows = this.select(spec);
    yield* this.pages(rows, spec);
    if (rows.length === 0) this.transactions++;
  }

  /** The rows in pages of the fake's (or the spec's) page size, one transaction each. */
  private async *pages(rows: Row[], spec: ReadSpec): AsyncGenerator<Page> {
    const size = this.pageSize ?? spec.pageSize ?? 2000;
    for (let i = 0, pageNo = 1; i < rows.length; i += size, pageNo++) {
      this.transactions++;
      const page = rows.slice(i, i + size);
      const last = page[page.length - 1]!;
      await this.onPage?.(pageNo, spec.object);
      yield { rows: page, cursor: { whenModified: timestampMs(last.WHENMODIFIED), recordNo: Number(last.RECORDNO) }, totalCount: rows.length, pageNo };
    }
  }

  async *readPartitioned(spec: ReadSpec): AsyncGenerator<Page> {
    this.log.push(`partitioned ${spec.object}`);
    // Pages in RECORDNO order (not WHENMODIFIED order), like a partitioned backfill.
    yield* this.pages(
      this.select(spec).sort((a, b) => Number(a.RECORDNO) - Number(b.RECORDNO)),
      spec,
    );
  }

  async testConnection() {
    if (this.failWith) return { ok: false, steps: [{ name: 'Sender credentials', ok: false, message: this.failWith.message }] };
    return {
      ok: true,
      steps: [
        { name: 'Sender credentials', ok: true, message: 'ok' },
        { name: 'User sign-in', ok: true, message: 'ok' },
        { name: 'Read one record', ok: true, message: 'ok' },
      ],
    };
  }

  /** What `lookup` answers, per object (tests fill it). */
  readonly fields = new Map<string, FieldInfo[]>();

  async lookup(object: string): Promise<FieldInfo[]> {
    this.transactions++;
    if (this.failWith) throw this.failWith;
    return this.fields.get(object) ?? [];
  }

  close(): void {}

  async count(spec: ReadSpec): Promise<number> {
    this.transactions++;
    return this.select(spec).length;
  }

  async *readKeys(object: string): AsyncGenerator<string[]> {
    if (this.failWith) throw this.failWith;
    this.transactions++;
    this.log.push(`keys ${object}`);
    yield [...this.table(object).keys()].map(String);
  }

  async *readDeleted(objectType: string, sinceMs: number): AsyncGenerator<{ recordNo: number; deletedAt: number }[]> {
    this.transactions++;
    if (!this.auditPermitted) throw new ApiError({ service: 'intacct', code: 'AUDIT_NOT_PERMITTED', userMessage: 'no AUDITHISTORY permission' });
    yield this.deleted
      .filter((d) => d.object.toLowerCase() === objectType && d.deletedAt >= sinceMs)
      .map(({ recordNo, deletedAt }) => ({ recordNo, deletedAt }));
  }
}

/** A payload "file" as the fake writer saw it. */
export interface FakeFile {
  tables: { name: string; rows: Row[] }[];
}

/** A Tableau site in memory: data sources keyed by name, holding rows by primary key. */
export class FakeTableau implements TargetPort {
  readonly files = new Map<string, FakeFile>();
  readonly datasources = new Map<string, { id: string; rows: Map<string, Row> }>();
  readonly appliedRequestIds: string[] = [];
  readonly refreshed: string[] = [];
  readonly events: string[] = [];
  /** Return an error to fail the nth load (1-based, counted across the fake's life). */
  failLoad: ((n: number, batch: LoadBatch) => Error | null) | null = null;
  /** Called during each load (to cancel mid-load). */
  onLoad: ((batch: LoadBatch) => void | Promise<void>) | null = null;
  loads = 0;
  signInError: Error | null = null;

  writePayload: WritePayloadFn = async (path, tables) => {
    const file: FakeFile = { tables: [] };
    const counts: number[] = [];
    for (const t of tables) {
      const rows: Row[] = [];
      for await (const chunk of t.rows as AsyncIterable<readonly Row[]>) rows.push(...chunk);
      file.tables.push({ name: t.table.name, rows });
      counts.push(rows.length);
    }
    this.files.set(path, file);
    this.events.push(`written ${path.split('/').pop()}`);
    return { rowCounts: counts, bytes: 100 };
  };

  load: LoadFn = async (batch, opts) => {
    this.loads++;
    this.events.push(`load ${batch.stream.name} ${batch.fullLoad ? 'full' : 'upsert'}`);
    await this.onLoad?.(batch);
    if (opts.signal?.aborted) throw opts.signal.reason;
    const err = this.failLoad?.(this.loads, batch);
    if (err) throw err;
    const def = batch.stream;
    const key = (r: Row) => def.primaryKey.map((k) => String(r[k])).join('|');
    let ds = batch.existingDatasourceId ? [...this.datasources.values()].find((d) => d.id === batch.existingDatasourceId) : undefined;
    if (batch.fullLoad || !ds) {
      ds = { id: `ds-${batch.datasourceName}`, rows: new Map() };
      this.datasources.set(batch.datasourceName, ds);
    }
    if (this.appliedRequestIds.includes(batch.requestId)) return { datasourceId: ds.id, jobId: null };
    this.appliedRequestIds.push(batch.requestId);
    const upserts = batch.upsertFile ? this.files.get(batch.upsertFile) : undefined;
    for (const r of upserts?.tables.find((t) => t.name === 'Extract')?.rows ?? []) ds.rows.set(key(r), r);
    const deletes = batch.deleteFile ? this.files.get(batch.deleteFile) : undefined;
    for (const r of deletes?.tables.find((t) => t.name === 'deleted')?.rows ?? []) ds.rows.delete(key(r));
    return { datasourceId: ds.id, jobId: `job-${this.loads}` };
  };

  async signIn() {
    if (this.signInError) throw this.signInError;
    return { siteId: 'site', userId: 'user' };
  }
  signOuts = 0;
  async signOut() {
    this.signOuts++;
  }
  async serverInfo() {
    return { productVersion: '2025.1', restApiVersion: '3.25' };
  }
  async findProject(name: string) {
    return { id: `p-${name}`, name };
  }
  async findDatasource(name: string) {
    const ds = this.datasources.get(name);
    return ds ? { id: ds.id, name } : name.startsWith('Dependent') ? { id: `dep-${name}`, name } : null;
  }
  async refreshDatasource(id: string) {
    this.refreshed.push(id);
    return { id: `refresh-${id}` };
  }

  rows(name: string): Row[] {
    return [...(this.datasources.get(name)?.rows.values() ?? [])];
  }
}

/** The store's engine-facing part in memory. */
export class FakeStore implements StorePort {
  readonly states = new Map<StreamName, StreamState>();
  readonly audit: AuditEntry[] = [];
  readonly logs: LogEntry[] = [];
  readonly runs = new Map<string, RunSummary>();
  readonly streamResults: { runId: string; r: StreamRunResult }[] = [];
  readonly tieOuts = new Map<string, TieOut>();
  /** Every checkpoint saved, in order. */
  readonly savedStates: StreamState[] = [];

  getStreamState(stream: StreamName) {
    return this.states.get(stream) ?? null;
  }
  /** No rollback here: tests of the one-transaction commit use the real store (checkpoint-crash.test.ts). */
  transaction<T>(fn: () => T): T {
    return fn();
  }
  saveStreamState(s: StreamState) {
    this.states.set(s.stream, s);
    this.savedStates.push(s);
  }
  recordAudit(entries: readonly AuditEntry[]) {
    this.audit.push(...entries.map((e) => ({ ...e })));
  }
  markAudit(runId: string, stream: StreamName, requestId: string, patch: { jobId?: string | null; result: 'applied' | 'failed' }) {
    let n = 0;
    for (const e of this.audit) {
      if (e.runId === runId && e.stream === stream && e.requestId === requestId) {
        e.result = patch.result;
        if (patch.jobId !== undefined) e.jobId = patch.jobId;
        n++;
      }
    }
    return n;
  }
  appendLog(e: Omit<LogEntry, 'id'>) {
    const entry = { ...e, id: this.logs.length + 1 };
    this.logs.push(entry);
    return entry;
  }
  startRun(r: { runId: string; trigger: RunSummary['trigger']; startedAt: number }) {
    this.runs.set(r.runId, { ...r, finishedAt: null, outcome: 'running', rowsMoved: 0, durationMs: null, apiTransactions: 0, error: null });
  }
  finishRun(runId: string, f: Parameters<StorePort['finishRun']>[1]) {
    const r = this.runs.get(runId)!;
    this.runs.set(runId, { ...r, ...f, durationMs: f.durationMs ?? f.finishedAt - r.startedAt });
  }
  saveStreamResult(runId: string, r: StreamRunResult) {
    this.streamResults.push({ runId, r });
  }
  saveTieOut(runId: string, t: TieOut) {
    this.tieOuts.set(runId, t);
  }
  readonly models = new Map<string, ModelsRun>();
  saveModels(runId: string, m: ModelsRun) {
    this.models.set(runId, m);
  }
  listRuns(limit: number) {
    return [...this.runs.values()].reverse().slice(0, limit);
  }
  lastSuccessAt() {
    return (
      [...this.runs.values()]
        .filter((r) => r.outcome === 'succeeded')
        .map((r) => r.finishedAt ?? 0)
        .pop() ?? null
    );
  }
}

/** Seeds a small company: vendors (audit-history deletes), bill lines (key reconciliation), GL detail (partitioned + tie-out). */
export function seedCompany(source: FakeSource, glRows = 50): void {
  for (let i = 0; i < 12; i++) source.add('VENDOR', { VENDORID: `V${i}`, NAME: `Vendor ${i}`, ONHOLD: false, CREDITLIMIT: '1000.00' });
  for (let i = 0; i < 20; i++) source.add('APBILLITEM', { RECORDKEY: 1, LINE_NO: i, AMOUNT: `${i}.25`, ACCOUNTNO: '6000' });
  for (let i = 0; i < glRows; i++) {
    source.add('GLDETAIL', {
      BATCH_DATE: `2025-${String((i % 12) + 1).padStart(2, '0')}-15`,
      BOOKID: 'ACCRUAL',
      ACCOUNTNO: String(4000 + (i % 5) * 100),
      AMOUNT: `${i % 2 ? '-' : ''}${100 + i}.${String(i % 100).padStart(2, '0')}`,
    });
  }
}

export const testStreams: StreamName[] = ['vendor', 'ap_bill_line', 'gl_detail'];
export const defOf = (n: StreamName): StreamDefinition => streamByName(n);
export { AuthError };
