import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  copyFormatFor,
  findHyperd,
  readHyperRows,
  startHyperEngine,
  supportsBinaryCopy,
  writeHyperFile,
  type CopyFormat,
  type HyperEngine,
  type HyperTable,
} from '../../../../main/core/hyper';
import type { ColumnDef, Row } from '../../../../main/core/streams/types';
import { streamByName } from '../../../../main/core/streams/definitions';
import { CancelledError } from '../../../../main/core/errors';

const c = (name: string, type: ColumnDef['type'], nullable = true, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  source: name,
  type,
  nullable,
  ...extra,
});

const table: HyperTable = {
  schema: 'Extract',
  name: 'Extract',
  columns: [
    c('RECORDNO', 'bigint', false),
    c('NAME', 'text'),
    c('AMOUNT', 'numeric', false, { precision: 18, scale: 2 }),
    c('RATE', 'numeric', true, { precision: 12, scale: 4 }),
    c('POSTED', 'date'),
    c('WHENMODIFIED', 'timestamp', false),
    c('ONHOLD', 'bool'),
  ],
};

/** Every awkward value the Row conventions allow. */
const awkward: Row[] = [
  { RECORDNO: 1, NAME: null, AMOUNT: '0.00', RATE: null, POSTED: null, WHENMODIFIED: '2026-01-15 12:00:00', ONHOLD: null },
  { RECORDNO: 2, NAME: '', AMOUNT: '-99999999999999.99', RATE: '-12345678.1234', POSTED: '2024-02-29', WHENMODIFIED: '2024-02-29 23:59:59', ONHOLD: true },
  { RECORDNO: 3, NAME: 'Acme, Inc.', AMOUNT: '99999999999999.99', RATE: '0.0001', POSTED: '0001-01-01', WHENMODIFIED: '1970-01-01 00:00:00', ONHOLD: false },
  { RECORDNO: 4, NAME: 'He said "hello", then left', AMOUNT: '-0.01', RATE: '1.0000', POSTED: '9999-12-31', WHENMODIFIED: '2038-01-19 03:14:08', ONHOLD: true },
  {
    RECORDNO: 5,
    NAME: 'line one\nline two\r\nline three\rend',
    AMOUNT: '1234.50',
    RATE: null,
    POSTED: '2026-03-08',
    WHENMODIFIED: '2026-03-08 02:30:00',
    ONHOLD: false,
  },
  {
    RECORDNO: 6,
    NAME: 'Café Münchën – 中文 – 😀 – עברית',
    AMOUNT: '0.10',
    RATE: null,
    POSTED: '2026-11-01',
    WHENMODIFIED: '2026-11-01 01:30:00',
    ONHOLD: null,
  },
  { RECORDNO: 7, NAME: '  padded  ', AMOUNT: '1.00', RATE: null, POSTED: null, WHENMODIFIED: '2026-01-01 00:00:00', ONHOLD: null },
  { RECORDNO: 8, NAME: '"', AMOUNT: '2.00', RATE: null, POSTED: null, WHENMODIFIED: '2026-01-01 00:00:00', ONHOLD: null },
  { RECORDNO: 9, NAME: ',', AMOUNT: '3.00', RATE: null, POSTED: null, WHENMODIFIED: '2026-01-01 00:00:00', ONHOLD: null },
  { RECORDNO: 10, NAME: 'NULL', AMOUNT: '4.00', RATE: null, POSTED: null, WHENMODIFIED: '2026-01-01 00:00:00', ONHOLD: null },
  { RECORDNO: 11, NAME: '\\N back\\slash', AMOUNT: '5.00', RATE: null, POSTED: null, WHENMODIFIED: '2026-01-01 00:00:00', ONHOLD: null },
  { RECORDNO: 9007199254740991, NAME: "O'Brien", AMOUNT: '-1234.56', RATE: null, POSTED: '2025-12-31', WHENMODIFIED: '2025-12-31 23:59:59', ONHOLD: false },
];

async function collect(gen: AsyncGenerator<Row[]>): Promise<{ rows: Row[]; batches: number }> {
  const rows: Row[] = [];
  let batches = 0;
  for await (const b of gen) {
    rows.push(...b);
    batches++;
  }
  return { rows, batches };
}

// Every test runs for both ways rows travel to hyperd: the binary format the writer uses by default,
// and CSV. Both must give back exactly the same rows.
for (const format of ['hyperbinary', 'csv'] as const satisfies readonly CopyFormat[])
  describe(`writeHyperFile / readHyperRows (${format})`, () => {
    let dir: string;
    let engine: HyperEngine;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hyper-writer-'));
      engine = await startHyperEngine({ hyperdPath: findHyperd({ projectRoot: process.cwd() }), logDir: join(dir, 'logs') });
    });
    after(async () => {
      await engine?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('writes a file that hyperd opens with the declared column types', async () => {
      const path = join(dir, 'types.hyper');
      const result = await writeHyperFile(engine, path, [{ table, rows: [awkward.slice(0, 2)] }], { format });
      assert.deepEqual(result.rowCounts, [2]);
      assert.ok(result.bytes > 0 && existsSync(path));
      const columns = await engine.withClient(async (client) => {
        await client.query(`ATTACH DATABASE "${path}" AS chk`);
        const r = await client.query<{ attname: string; type: string; notnull: boolean }>(
          `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
           FROM chk.pg_catalog.pg_attribute a
           JOIN chk.pg_catalog.pg_class c ON c.oid = a.attrelid
           JOIN chk.pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'Extract' AND c.relname = 'Extract' AND a.attnum > 0
          ORDER BY a.attnum`,
        );
        await client.query('DETACH DATABASE chk');
        return r.rows;
      });
      assert.deepEqual(columns, [
        { attname: 'RECORDNO', type: 'bigint', notnull: true },
        { attname: 'NAME', type: 'text', notnull: false },
        { attname: 'AMOUNT', type: 'numeric(18,2)', notnull: true },
        { attname: 'RATE', type: 'numeric(12,4)', notnull: false },
        { attname: 'POSTED', type: 'date', notnull: false },
        { attname: 'WHENMODIFIED', type: 'timestamp', notnull: true },
        { attname: 'ONHOLD', type: 'boolean', notnull: false },
      ]);
    });

    it('gives back exactly the rows written, awkward values included', async () => {
      const path = join(dir, 'awkward.hyper');
      // Batches of uneven size, as pages arrive from Intacct.
      await writeHyperFile(engine, path, [{ table, rows: [awkward.slice(0, 5), [], awkward.slice(5)] }], { format });
      const { rows } = await collect(readHyperRows(engine, path, table, ['RECORDNO']));
      assert.deepEqual(rows, awkward);
      // NULL and '' stay apart inside hyperd too, not only after our conversion.
      const nulls = await engine.withClient(async (client) => {
        await client.query(`ATTACH DATABASE "${path}" AS chk`);
        const r = await client.query<{ id: number; isnull: boolean; len: number | null }>(
          `SELECT "RECORDNO" AS id, "NAME" IS NULL AS isnull, LENGTH("NAME") AS len FROM chk."Extract"."Extract" WHERE "RECORDNO" IN (1, 2) ORDER BY 1`,
        );
        await client.query('DETACH DATABASE chk');
        return r.rows;
      });
      assert.deepEqual(
        nulls.map((r) => [r.id, r.isnull, r.len]),
        [
          [1, true, null],
          [2, false, 0],
        ],
      );
    });

    it('streams many rows across chunk and fetch boundaries, from an async source, with a second table', async () => {
      const path = join(dir, 'many.hyper');
      const gl = streamByName('gl_detail');
      const glTable: HyperTable = { schema: 'Extract', name: 'Extract', columns: gl.columns };
      const deleted: HyperTable = { schema: 'Extract', name: 'deleted', columns: gl.columns.filter((col) => col.name === 'RECORDNO') };
      const total = 12_345;
      // GLDETAIL's RECORDNO is text like `3220-55186-27290--accrual` (intacct-objects.md); fixed widths keep text order = i order.
      const key = (i: number) => `200000-${1_000_000 + i}-30001--accrual`;
      const make = (i: number): Row => {
        const row: Record<string, Row[string]> = {};
        for (const col of gl.columns) row[col.name] = col.nullable ? null : null;
        return {
          ...row,
          RECORDNO: key(i),
          BATCH_DATE: `2026-${String((i % 12) + 1).padStart(2, '0')}-15`,
          BOOKID: 'ACCRUAL',
          ACCOUNTNO: String(1000 + (i % 50)),
          AMOUNT: `${i % 2 ? '-' : ''}${i}.${String(i % 100).padStart(2, '0')}`,
          DESCRIPTION: `row ${i}, "quoted"\n2nd line`,
          WHENMODIFIED: '2026-01-15 12:00:00',
        };
      };
      async function* pages(): AsyncGenerator<Row[]> {
        for (let start = 1; start <= total; start += 2000) {
          await new Promise((r) => setImmediate(r));
          yield Array.from({ length: Math.min(2000, total - start + 1) }, (_, k) => make(start + k));
        }
      }
      const result = await writeHyperFile(
        engine,
        path,
        [
          { table: glTable, rows: pages() },
          { table: deleted, rows: [[{ RECORDNO: key(42) }, { RECORDNO: key(43) }]] },
        ],
        { format },
      );
      assert.deepEqual(result.rowCounts, [total, 2]);
      const { rows, batches } = await collect(readHyperRows(engine, path, glTable, ['RECORDNO']));
      assert.equal(rows.length, total);
      assert.ok(batches >= 3, `read in batches (${batches})`);
      for (const i of [1, 2, 4999, 5000, 5001, 12_345]) assert.deepEqual(rows[i - 1], make(i));
      const del = await collect(readHyperRows(engine, path, deleted, ['RECORDNO']));
      assert.deepEqual(del.rows, [{ RECORDNO: key(42) }, { RECORDNO: key(43) }]);
    });

    it('stops early without leaving the file attached, and replaces an existing file', async () => {
      const path = join(dir, 'replace.hyper');
      await writeHyperFile(engine, path, [{ table, rows: [awkward] }], { format });
      for await (const batch of readHyperRows(engine, path, table)) {
        assert.ok(batch.length > 0);
        break;
      }
      // Overwriting works only if no session still holds the file.
      const again = await writeHyperFile(engine, path, [{ table, rows: [awkward.slice(0, 1)] }], { format });
      assert.deepEqual(again.rowCounts, [1]);
      const { rows } = await collect(readHyperRows(engine, path, table));
      assert.deepEqual(rows, awkward.slice(0, 1));
    });

    it('writes a text value larger than a whole chunk', async () => {
      const path = join(dir, 'big-value.hyper');
      const big = `${'é,"x"\n'.repeat(60_000)}end`; // ~420 K characters, ~600 KB of UTF-8 once quoted
      const rows = [awkward[0]!, { ...awkward[1]!, NAME: big }, awkward[2]!];
      await writeHyperFile(engine, path, [{ table, rows: [rows] }], { format });
      const { rows: back } = await collect(readHyperRows(engine, path, table, ['RECORDNO']));
      assert.equal(back.length, 3);
      assert.equal(back[1]!.NAME, big);
      assert.deepEqual(back, rows);
    });

    it('handles a path with quotes, spaces and non-ASCII characters', async () => {
      const odd = join(dir, `it's a "dir" é`);
      mkdirSync(odd);
      const path = join(odd, 'payload.hyper');
      await writeHyperFile(engine, path, [{ table, rows: [awkward.slice(2, 4)] }], { format });
      const { rows } = await collect(readHyperRows(engine, path, table, ['RECORDNO']));
      assert.deepEqual(rows, awkward.slice(2, 4));
    });

    it('stops between batches when cancelled and removes the partial file', async () => {
      const path = join(dir, 'cancelled.hyper');
      const abort = new AbortController();
      function* batches(): Generator<Row[]> {
        yield awkward.slice(0, 3);
        abort.abort();
        yield awkward.slice(3);
      }
      await assert.rejects(writeHyperFile(engine, path, [{ table, rows: batches() }], { signal: abort.signal, format }), CancelledError);
      assert.equal(existsSync(path), false);
    });

    it('rejects a bad value and leaves no partial file behind', async () => {
      const path = join(dir, 'bad.hyper');
      const bad = [{ ...awkward[1]!, AMOUNT: 12.5 }];
      await assert.rejects(writeHyperFile(engine, path, [{ table, rows: [awkward.slice(0, 1), bad] }], { format }), /AMOUNT.*never a float/);
      assert.equal(existsSync(path), false);
      // The engine is still usable afterwards.
      const ok = await writeHyperFile(engine, path, [{ table, rows: [awkward.slice(0, 1)] }], { format });
      assert.deepEqual(ok.rowCounts, [1]);
    });
  });

describe('choosing the COPY format', () => {
  it('uses the binary format only with a hyperd that encodes a probe row exactly as the writer does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyper-format-'));
    const engine = await startHyperEngine({ hyperdPath: findHyperd({ projectRoot: process.cwd() }), logDir: join(dir, 'logs') });
    try {
      assert.equal(await supportsBinaryCopy(engine), true);
      assert.equal(await copyFormatFor(engine), 'hyperbinary');
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    // A hyperd that refuses the format (hyperd answers an unknown one with SQLSTATE 42601, "format
    // 'x' not recognized") gets CSV, and is asked once.
    let asked = 0;
    const refusing = {
      withClient: async () => {
        asked++;
        throw Object.assign(new Error("format 'hyperbinary' not recognized"), { code: '42601' });
      },
    } as unknown as HyperEngine;
    assert.equal(await copyFormatFor(refusing), 'csv');
    assert.equal(await copyFormatFor(refusing), 'csv');
    assert.equal(asked, 1);
    // One that cannot be reached just now (restarting) gets CSV for this write and is asked again next time.
    let tries = 0;
    const restarting = {
      withClient: async () => {
        tries++;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      },
    } as unknown as HyperEngine;
    assert.equal(await copyFormatFor(restarting), 'csv');
    assert.equal(await copyFormatFor(restarting), 'csv');
    assert.equal(tries, 2);
    // One that answers with other bytes gets CSV too.
    const differing = {
      withClient: async (fn: (c: unknown) => Promise<unknown>) =>
        fn({
          query: (q: unknown) =>
            typeof q === 'string'
              ? Promise.resolve({ rows: [] })
              : (async function* () {
                  yield Buffer.from('HPRCPY');
                })(),
        }),
    } as unknown as HyperEngine;
    assert.equal(await supportsBinaryCopy(differing), false);
  });
});
