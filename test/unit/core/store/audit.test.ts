import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { auditCsvColumns, csvField, openStore, type Store } from '../../../../main/core/store/index';
import type { AuditEntry, StreamName } from '../../../../shared/types';

const t0 = Date.UTC(2026, 0, 15, 6, 0);

function entries(
  runId: string,
  stream: StreamName,
  requestId: string,
  keys: number[],
  hash = (k: number) => `h${k}`,
  action: AuditEntry['action'] = 'insert',
): AuditEntry[] {
  return keys.map((k) => ({
    runId,
    stream,
    recordKey: String(k),
    whenModified: '2026-01-15 06:00:00',
    contentHash: hash(k),
    action,
    requestId,
    jobId: null,
    result: 'pending',
    at: t0 + k,
  }));
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function withStore(fn: (s: Store, clock: ManualClock) => void) {
  const clock = new ManualClock(t0);
  const store = openStore(':memory:', { clock });
  try {
    fn(store, clock);
  } finally {
    store.close();
  }
}

describe('audit trail', () => {
  it('inserts a batch of any size in one go and reads it back batch by batch, by key within a batch', () => {
    withStore((store) => {
      const batch = entries('r1', 'gl_detail', 'q1', range(1, 250)); // 2 multi-row chunks + 50 single rows
      const second = entries('r1', 'ap_bill', 'q2', [3, 1, 2]);
      store.recordAudit(batch);
      store.recordAudit([]);
      store.recordAudit(second);
      // Numeric keys in numeric order (9 before 10), as the trail is read (issue #14).
      const byKey = (a: AuditEntry, b: AuditEntry) => Number(a.recordKey) - Number(b.recordKey);
      assert.deepEqual(store.queryAudit({ runId: 'r1', limit: 10_000 }), [...[...batch].sort(byKey), ...[...second].sort(byKey)]);
      assert.equal(store.queryAudit({ runId: 'r1', limit: 5 }).length, 5);
    });
  });

  it('a failing batch leaves nothing behind (one transaction)', () => {
    withStore((store) => {
      const batch = entries('r1', 'vendor', 'q1', range(1, 100));
      (batch[99] as { contentHash: unknown }).contentHash = null; // NOT NULL violation on the last row
      assert.throws(() => store.recordAudit(batch));
      assert.equal(store.queryAudit({ runId: 'r1' }).length, 0);
    });
  });

  it('markAudit updates exactly one batch and feeds lastAppliedHashes', () => {
    withStore((store, clock) => {
      store.recordAudit(entries('r1', 'vendor', 'q1', range(1, 3)));
      store.recordAudit(entries('r1', 'vendor', 'q2', range(4, 5)));
      store.recordAudit(entries('r1', 'ap_bill', 'q1', range(1, 2))); // same request id, other stream
      assert.equal(store.lastAppliedHashes('vendor', ['1', '2']).size, 0, 'pending entries are not applied yet');

      clock.advance(1000);
      assert.equal(store.markAudit('r1', 'vendor', 'q1', { jobId: 'job-1', result: 'applied' }), 3);
      assert.equal(store.markAudit('r1', 'vendor', 'q2', { result: 'failed' }), 2);
      const rows = store.queryAudit({ runId: 'r1', stream: 'vendor' });
      assert.deepEqual(
        rows.map((r) => [r.recordKey, r.result, r.jobId]),
        [
          ['1', 'applied', 'job-1'],
          ['2', 'applied', 'job-1'],
          ['3', 'applied', 'job-1'],
          ['4', 'failed', null],
          ['5', 'failed', null],
        ],
      );
      assert.ok(store.queryAudit({ runId: 'r1', stream: 'ap_bill' }).every((r) => r.result === 'pending'));

      assert.deepEqual([...store.lastAppliedHashes('vendor', ['1', '3', '4', '99'])].sort(), [
        ['1', 'h1'],
        ['3', 'h3'],
      ]);
      assert.equal(store.lastAppliedHashes('ap_bill', ['1']).size, 0);

      // A later run changes record 1 and deletes record 3.
      store.recordAudit(entries('r2', 'vendor', 'q3', [1], () => 'h1-v2', 'update'));
      store.recordAudit(entries('r2', 'vendor', 'q3', [3], () => 'h3', 'delete'));
      store.markAudit('r2', 'vendor', 'q3', { jobId: 'job-2', result: 'applied' });
      assert.deepEqual([...store.lastAppliedHashes('vendor', ['1', '2', '3'])].sort(), [
        ['1', 'h1-v2'],
        ['2', 'h2'],
      ]);

      store.recordAudit(entries('r2', 'ap_bill', 'q4', [1]));
      store.markAudit('r2', 'ap_bill', 'q4', { result: 'applied' });
      assert.equal(store.clearAppliedHashes('vendor'), 2);
      assert.equal(store.lastAppliedHashes('vendor', ['1', '2']).size, 0);
      assert.equal(store.lastAppliedHashes('ap_bill', ['1']).size, 1, 'other streams keep theirs');
    });
  });

  it('when a batch holds a record twice, its newest entry is the applied hash', () => {
    withStore((store) => {
      store.recordAudit([...entries('r1', 'vendor', 'q', [5], () => 'old'), ...entries('r1', 'vendor', 'q', [5], () => 'new', 'update')]);
      store.markAudit('r1', 'vendor', 'q', { result: 'applied' });
      assert.equal(store.lastAppliedHashes('vendor', ['5']).get('5'), 'new');
    });
  });

  it('lastAppliedHashes answers a 2000-key batch', () => {
    withStore((store) => {
      const keys = range(1, 2000);
      store.recordAudit(entries('r1', 'gl_detail', 'q', keys));
      store.markAudit('r1', 'gl_detail', 'q', { jobId: 'j', result: 'applied' });
      const asked = range(1001, 3000).map(String);
      const got = store.lastAppliedHashes('gl_detail', asked);
      assert.equal(got.size, 1000);
      assert.equal(got.get('2000'), 'h2000');
      assert.equal(got.has('2001'), false);
    });
  });

  it('queries by record key across streams and runs, by run, and by stream', () => {
    withStore((store) => {
      store.recordAudit(entries('r1', 'vendor', 'a', [7, 8]));
      store.recordAudit(entries('r1', 'ap_bill', 'b', [7]));
      store.recordAudit(entries('r2', 'vendor', 'c', [7], () => 'h7b', 'update'));
      assert.deepEqual(
        store.queryAudit({ recordKey: '7' }).map((e) => [e.runId, e.stream]),
        [
          ['r1', 'vendor'],
          ['r1', 'ap_bill'],
          ['r2', 'vendor'],
        ],
      );
      assert.deepEqual(
        store.queryAudit({ recordKey: '7', stream: 'vendor' }).map((e) => e.contentHash),
        ['h7', 'h7b'],
      );
      assert.deepEqual(
        store.queryAudit({ recordKey: '7', runId: 'r2' }).map((e) => e.action),
        ['update'],
      );
      assert.equal(store.queryAudit({ runId: 'r1' }).length, 3);
      assert.equal(store.queryAudit({ stream: 'vendor' }).length, 3);
      assert.equal(store.queryAudit({}).length, 4);
    });
  });

  it('exports CSV with RFC 4180 quoting and formula protection', () => {
    withStore((store) => {
      store.recordAudit([
        {
          runId: 'r1',
          stream: 'vendor',
          recordKey: 'V-1,"Acme"\nInc',
          whenModified: null,
          contentHash: '=HYPERLINK("x")',
          action: 'insert',
          requestId: 'q',
          jobId: null,
          result: 'pending',
          at: Date.UTC(2026, 0, 15, 6, 0, 0, 5),
        },
      ]);
      const csv = store.exportAuditCsv({ runId: 'r1' });
      assert.equal(
        csv,
        `${auditCsvColumns.join(',')}\r\n` + `r1,vendor,"V-1,""Acme""\nInc",,"'=HYPERLINK(""x"")",insert,q,,pending,2026-01-15T06:00:00.005Z,,,\r\n`,
      );
      assert.equal(csvField(-12.5), '-12.5');
      assert.equal(csvField('-12.50'), '-12.50');
      assert.equal(csvField('+1'), "'+1");
      assert.equal(csvField('a\rb'), '"a\rb"');
    });
  });

  it('exports the search words (document, vendor, journal) as columns, empty for entries that have none', () => {
    withStore((store) => {
      const [plain] = entries('r1', 'ap_bill', 'q', [7]);
      const [older] = entries('r1', 'ap_bill', 'q', [8]);
      store.recordAudit([{ ...plain!, document: 'BILL-1042', vendor: 'V100 · Acme, Steel', journal: '=GJ' }, older!]);
      const [header, withWords, withoutWords] = store.exportAuditCsv({ runId: 'r1' }).split('\r\n');
      assert.deepEqual(header!.split(','), [...auditCsvColumns]);
      assert.deepEqual(auditCsvColumns.slice(-3), ['document', 'vendor', 'journal']);
      assert.ok(withWords!.endsWith(`,BILL-1042,"V100 · Acme, Steel",'=GJ`), withWords);
      assert.ok(withoutWords!.endsWith('Z,,,'), withoutWords);
    });
  });

  it('streams a large export page by page while the engine keeps writing', () => {
    withStore((store) => {
      store.recordAudit(entries('r1', 'gl_detail', 'q', range(1, 5_200)));
      store.recordAudit(entries('r1', 'vendor', 'q', range(1, 3)));
      let lines = 0;
      let keys = 0;
      for (const line of store.iterateAuditCsv({ stream: 'gl_detail' })) {
        lines++;
        assert.ok(line.endsWith('\r\n'));
        if (line.startsWith('r1,gl_detail,')) keys++;
        // Writes in the middle of an export must not fail with "connection is busy".
        if (lines === 10) store.recordAudit(entries('r9', 'vendor', 'z', [1]));
      }
      assert.equal(lines, 5_201);
      assert.equal(keys, 5_200);
      assert.equal(store.exportAuditCsv({ runId: 'r1' }).split('\r\n').length - 2, 5_203);
      assert.equal([...store.iterateAuditCsv({ runId: 'r1', limit: 7 })].length, 8);
    });
  });

  it('prune drops the trail of old runs and old log lines, and keeps everything at 0 days', () => {
    withStore((store) => {
      const day = 86_400_000;
      store.startRun({ runId: 'old', trigger: 'manual', startedAt: t0 - 40 * day });
      store.finishRun('old', { finishedAt: t0 - 40 * day + 1, outcome: 'succeeded', rowsMoved: 2, apiTransactions: 1, error: null });
      store.startRun({ runId: 'new', trigger: 'manual', startedAt: t0 - day });
      store.recordAudit(entries('old', 'vendor', 'a', [1, 2]));
      store.recordAudit(entries('new', 'vendor', 'b', [1]));
      store.markAudit('old', 'vendor', 'a', { result: 'applied' });
      store.appendLog({ at: t0 - 10 * day, level: 'info', message: 'old line' });
      store.appendLog({ at: t0 - day, level: 'info', message: 'new line' });

      assert.deepEqual(store.prune(t0, { auditDays: 0, logDays: 0 }), { auditRows: 0, logRows: 0 });
      assert.deepEqual(store.prune(t0, { auditDays: 30, logDays: 7 }), { auditRows: 2, logRows: 1 });
      assert.deepEqual(
        store.queryAudit({}).map((e) => e.runId),
        ['new'],
      );
      assert.deepEqual(
        store.queryLogs({}).map((e) => e.message),
        ['new line'],
      );
      assert.equal(store.lastAppliedHashes('vendor', ['1']).get('1'), 'h1', 'the latest hash per record is state, not history');
      assert.equal(store.getRun('old')?.outcome, 'succeeded');
    });
  });

  it('transaction groups writes and rolls them all back on error', () => {
    withStore((store) => {
      assert.throws(() =>
        store.transaction(() => {
          store.startRun({ runId: 'x', trigger: 'manual', startedAt: 1 });
          store.recordAudit(entries('x', 'vendor', 'q', [1]));
          throw new Error('abort');
        }),
      );
      assert.equal(store.getRun('x'), null);
      assert.equal(store.queryAudit({}).length, 0);
      assert.equal(
        store.transaction(() => 42),
        42,
      );
    });
  });
});
