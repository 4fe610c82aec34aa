import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { ApiError } from '../../../../main/core/errors';
import { openLedger } from '../../../../main/core/sync/ledger';
import { defaultEngineOptions, syncStream } from '../../../../main/core/sync/stream-sync';
import { noReplica, type Page, type ReadSpec } from '../../../../main/core/sync/ports';
import { defaultSettings } from '../../../../main/core/service/settings';
import type { StreamName, StreamProgress } from '../../../../shared/types';
import { FakeSource, FakeStore, FakeTableau, defOf, seedCompany } from './fakes';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A source whose partitioned pages report their own partition's count (the port does not promise
 * the whole read's), and whose count can be made to fail.
 */
class PartitionCountSource extends FakeSource {
  countFails = false;
  readonly counted: ReadSpec[] = [];

  override async count(spec: ReadSpec): Promise<number> {
    this.counted.push(spec);
    this.log.push(`count ${spec.object}`);
    if (this.countFails) {
      this.transactions++;
      throw new ApiError({ service: 'intacct', code: 'XL03000006', userMessage: 'Intacct could not count the records.' });
    }
    return super.count(spec);
  }

  override async *readPartitioned(spec: ReadSpec, opts: { partitions: number } = { partitions: 1 }): AsyncGenerator<Page> {
    const pages: Page[] = [];
    for await (const page of super.readPartitioned(spec)) pages.push(page);
    const rows = pages.flatMap((p) => p.rows);
    const size = Math.ceil(rows.length / opts.partitions);
    const pageSize = this.pageSize ?? 2000;
    let pageNo = 1;
    for (let from = 0; from < rows.length; from += size) {
      const part = rows.slice(from, from + size);
      for (let i = 0; i < part.length; i += pageSize) {
        const chunk = part.slice(i, i + pageSize);
        const last = chunk[chunk.length - 1]!;
        yield {
          rows: chunk,
          cursor: { whenModified: Date.parse(`${String(last.WHENMODIFIED).replace(' ', 'T')}Z`), recordNo: Number(last.RECORDNO) },
          totalCount: part.length,
          pageNo: pageNo++,
        };
      }
    }
  }
}

function setup(glRows: number) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const source = new PartitionCountSource(() => clock.now());
  seedCompany(source, glRows);
  source.pageSize = 5;
  clock.advance(60_000);
  const tableau = new FakeTableau();
  const store = new FakeStore();
  const ledger = openLedger(':memory:');
  const settings = defaultSettings();
  settings.streams.glDetailStartDate = '2025-01-01';
  const workDir = mkdtempSync(join(tmpdir(), 'mlc-stream-'));
  dirs.push(workDir);
  const progress: StreamProgress[] = [];
  const sync = (stream: StreamName) => {
    const def = defOf(stream);
    return syncStream({
      runId: 'run-1',
      until: clock.now(),
      def,
      settings,
      datasourceName: def.target.datasource,
      projectId: 'p-Finance',
      fullReload: false,
      source,
      load: tableau.load,
      writePayload: tableau.writePayload,
      store,
      ledger,
      replica: noReplica,
      clock,
      workDir,
      signal: new AbortController().signal,
      options: { ...defaultEngineOptions, batchRows: 20, partitions: 4 },
      onProgress: (p) => progress.push(p),
      log: () => {},
    });
  };
  return { source, progress, sync, ledger };
}

describe('syncStream rows expected', () => {
  it("a partitioned full load expects the whole read's count, asked once before reading", async () => {
    const env = setup(40);
    const out = await env.sync('gl_detail');
    assert.equal(out.result.rowsRead, 40);
    const reading = env.progress.filter((p) => p.phase === 'reading' && p.rowsDone > 0);
    assert.ok(reading.length >= 8, 'one progress event per page');
    for (const p of reading) assert.equal(p.rowsExpected, 40, `rowsDone ${p.rowsDone}`);
    // The count comes before the read and uses the read's own spec (filters, backfill window, bound).
    assert.deepEqual(env.source.log.slice(0, 2), ['count GLDETAIL', 'partitioned GLDETAIL']);
    const countSpec = env.source.counted[0]!;
    assert.equal(countSpec.until, Date.UTC(2026, 0, 15, 12, 1));
    assert.deepEqual(countSpec.dateRange, { column: 'BATCH_DATE', from: '2025-01-01' });
    assert.deepEqual(countSpec.filters, defOf('gl_detail').filters);
  });

  it("leaves rows expected unknown when the count fails, never a partition's count, and the load still succeeds", async () => {
    const env = setup(40);
    env.source.countFails = true;
    const out = await env.sync('gl_detail');
    assert.equal(out.result.outcome, 'succeeded');
    assert.equal(out.result.rowsUpserted, 40);
    assert.equal(env.ledger.count('gl_detail'), 40);
    const reading = env.progress.filter((p) => p.phase === 'reading' && p.rowsDone > 0);
    assert.ok(reading.length > 0);
    for (const p of reading) assert.equal(p.rowsExpected, null, `rowsDone ${p.rowsDone}`);
  });

  it('the finished stream says how many rows it checked and how many changed Tableau', async () => {
    const env = setup(0);
    const first = await env.sync('vendor');
    assert.deepEqual(
      env.progress.filter((p) => p.phase === 'done').map((p) => [p.rowsDone, p.rowsChanged]),
      [[first.result.rowsRead, first.result.rowsUpserted + first.result.rowsDeleted]],
    );
    assert.equal(first.result.rowsUpserted, 12);
    env.progress.length = 0;
    const again = await env.sync('vendor');
    const done = env.progress.filter((p) => p.phase === 'done');
    assert.equal(done.length, 1);
    assert.equal(done[0]!.rowsDone, again.result.rowsRead);
    assert.equal(done[0]!.rowsChanged, 0, 'nothing changed since the first run');
  });

  it("a keyset read takes rows expected from its first page's total", async () => {
    const env = setup(0);
    await env.sync('vendor');
    assert.equal(env.source.log[0], 'read VENDOR', 'no count before a keyset read');
    const reading = env.progress.filter((p) => p.phase === 'reading' && p.rowsDone > 0);
    assert.ok(reading.length >= 2);
    for (const p of reading) assert.equal(p.rowsExpected, 12);
  });
});
