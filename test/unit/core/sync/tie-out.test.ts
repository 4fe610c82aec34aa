import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { ApiError } from '../../../../main/core/errors';
import { streamDefinitions } from '../../../../main/core/streams/definitions';
import type { QueryHyperFn, TableauReadBackPort } from '../../../../main/core/sync/tableau-tie-out';
import { buildTieOut, compareSums, describeTieOut, tieOutAgainstTableau } from '../../../../main/core/sync/tie-out';

describe('tie-out', () => {
  it('names the accounts and periods whose sums differ', () => {
    const intacct = new Map([
      ['4000\u00002025-01', 1000n],
      ['5000\u00002025-02', 250n],
      ['6000\u00002025-03', 5n],
    ]);
    const tableau = new Map([
      ['4000\u00002025-01', 1000n],
      ['5000\u00002025-02', 251n],
      ['7000\u00002025-03', 9n],
    ]);
    const diffs = compareSums('gl_detail', intacct, tableau);
    assert.deepEqual(diffs, [
      { stream: 'gl_detail', account: '5000', period: '2025-02', intacct: '2.50', tableau: '2.51' },
      { stream: 'gl_detail', account: '6000', period: '2025-03', intacct: '0.05', tableau: '0.00' },
      { stream: 'gl_detail', account: '7000', period: '2025-03', intacct: '0.00', tableau: '0.09' },
    ]);
    const t = buildTieOut([
      { stream: 'vendor', intacct: 10, tableau: 10, differences: [] },
      { stream: 'gl_detail', intacct: 5, tableau: 4, differences: diffs },
    ]);
    assert.equal(t.ok, false);
    assert.deepEqual(
      t.counts.map((c) => c.match),
      [true, false],
    );
    assert.equal(t.differences.length, 4);
    assert.match(describeTieOut(t), /gl_detail account 5000 2025-02: Intacct 2.50, Tableau 2.51/);
    assert.equal(buildTieOut([{ stream: 'vendor', intacct: 3, tableau: 3, differences: [] }]).ok, true);
  });
});

describe('tie-out against Tableau (read-back)', () => {
  const defs = streamDefinitions.filter((d) => d.name === 'vendor' || d.name === 'gl_detail');
  const gl = {
    stream: 'gl_detail' as const,
    intacct: 3,
    tableau: 3,
    differences: [],
    intacctSums: new Map([
      ['4000\u00002026-01', 1000n],
      ['5000\u00002026-02', 250n],
    ]),
  };
  const vendor = { stream: 'vendor' as const, intacct: 2, tableau: 2, differences: [] };
  const ctx = (tableau: Partial<TableauReadBackPort>, queryHyper?: QueryHyperFn) => ({
    defs,
    datasourceId: (s: string) => `ds-${s}`,
    ledgerSums: () => new Map<string, bigint>(),
    readBack: { tableau: { expectsVds: async () => true, ...tableau } as TableauReadBackPort, workDir: tmpdir(), ...(queryHyper ? { queryHyper } : {}) },
  });

  it('reads counts and GL sums through VDS: one read-metadata and one query per data source', async () => {
    const calls: string[] = [];
    const t = await tieOutAgainstTableau(
      [vendor, gl],
      ctx({
        vdsReadMetadata: async (id) => {
          calls.push(`meta ${id}`);
          return ['RECORDNO', 'ACCOUNTNO', 'BATCH_DATE', 'AMOUNT'].map((fieldCaption) => ({ fieldCaption }));
        },
        vdsQuery: async (id, q) => {
          calls.push(`query ${id} ${q.fields.map((f) => f.function ?? f.fieldCaption).join(',')}`);
          return id === 'ds-vendor'
            ? [{ rows: 2 }]
            : [
                { account: '4000', period: '2026-01-01', amount: 10, rows: 2 },
                { account: '5000', period: '2026-02-01T00:00:00', amount: 2.49, rows: 1 },
              ];
        },
      }),
    );
    assert.deepEqual(calls, ['meta ds-gl_detail', 'query ds-vendor COUNT', 'query ds-gl_detail ACCOUNTNO,TRUNC_MONTH,SUM,COUNT']);
    assert.equal(t.readFrom, 'vds');
    assert.match(t.readNote!, /VizQL Data Service \(3 queries\)/);
    assert.deepEqual(t.differences, [{ stream: 'gl_detail', account: '5000', period: '2026-02', intacct: '2.50', tableau: '2.49' }]);
    assert.ok(t.counts.every((c) => c.match));
  });

  it('falls back to the download when VDS fails, and to the ledger (saying so) when that fails too', async () => {
    const queried: string[] = [];
    const down = await tieOutAgainstTableau(
      [vendor],
      ctx(
        {
          vdsReadMetadata: async () => {
            throw new ApiError({ service: 'tableau', code: 'VDS_UNAVAILABLE', status: 404, userMessage: 'no VizQL Data Service here' });
          },
          downloadDatasourceHyper: async () => Buffer.from('Hyper...'),
        },
        async (path, sql) => {
          queried.push(sql('T'));
          return [{ n: '1' }];
        },
      ),
    );
    assert.equal(down.readFrom, 'download');
    assert.match(down.readNote!, /downloading 1 data source .*not used: no VizQL Data Service here/);
    assert.deepEqual(queried, ['SELECT CAST(COUNT(*) AS TEXT) AS n FROM T']);
    assert.equal(down.ok, false, 'Intacct 2, Tableau 1');
    const logs: string[] = [];
    const ledger = await tieOutAgainstTableau([vendor], {
      ...ctx(
        {
          expectsVds: async () => false,
          downloadDatasourceHyper: async () => {
            throw new ApiError({ service: 'tableau', status: 403, userMessage: 'Tableau denied permission' });
          },
        },
        async () => [],
      ),
      log: (_l, m) => logs.push(m),
    });
    assert.equal(ledger.readFrom, 'ledger');
    assert.match(ledger.readNote!, /could not be read back \(Tableau denied permission\)/);
    assert.equal(ledger.ok, true, 'the ledger figures');
    assert.match(logs[0]!, /could not read Tableau back/);
  });
});
