/**
 * Finance models benchmark (issue 15 acceptance 4): `node --import tsx scripts/bench-models.ts [-- --gl-rows 1000000]`.
 *
 * Writes a replica of the sample company (`--gl-rows` GL detail lines, its accounts, bills and
 * payments; the layout main/core/replica/ keeps: schema `replica`, one table per stream) with
 * hyperd, then runs the model stage against the Tableau emulator: a full build (every model built,
 * checked and published) and, after 0.1 % of the GL lines changed, an incremental one. Measures
 * each stage's seconds and this process's peak RSS (the stage streams nothing through Node: hyperd
 * does the work). Prints one JSON object as its last line. bench:sync gives the full run it is
 * compared with (modelsSec < 0.25 × fullRunSec).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../main/core/clock';
import { createNodeFetch } from '../main/core/http/transport';
import { findHyperd, startHyperEngine, writeHyperFile } from '../main/core/hyper';
import { compileColumn, ZoneConverter } from '../main/core/intacct/intacct-values';
import { streamByName } from '../main/core/streams/definitions';
import type { Row } from '../main/core/streams/types';
import { createTableauClient, loadBatch } from '../main/core/tableau';
import { defaultModelSettings } from '../main/core/service/settings';
import { runModels } from '../main/core/models/run-models';
import { SampleCompany } from '../main/emulators/intacct/sample-company';
import type { IntacctRecord } from '../main/emulators/intacct/object-catalog';
import { startTableauEmulator } from '../main/emulators/tableau';

const { values } = parseArgs({ options: { 'gl-rows': { type: 'string', default: '1000000' } } });
const glRows = Number(values['gl-rows']);
const log = (m: string) => process.stderr.write(`${m}\n`);
const STREAMS = { gl_detail: 'GLDETAIL', gl_account: 'GLACCOUNT', ap_bill: 'APBILL', ap_payment_detail: 'APPYMTDETAIL', ap_payment: 'APPYMT' } as const;

/** A stream's records as the sync would load them, in chunks. */
function* chunks(stream: keyof typeof STREAMS, records: Iterable<IntacctRecord>): Generator<Row[]> {
  const cols = streamByName(stream).columns;
  const conv = cols.map((c) => compileColumn(c, new ZoneConverter('UTC')));
  let out: Row[] = [];
  for (const r of records) {
    out.push(Object.fromEntries(cols.map((c, i) => [c.name, conv[i]!(r[c.source] === undefined || r[c.source] === '' ? null : r[c.source]!)])));
    if (out.length === 10_000) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}

const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-models-'));
const engine = await startHyperEngine({ hyperdPath: findHyperd({ projectRoot: process.cwd() }), logDir: join(dir, 'logs') });
const tableau = await startTableauEmulator({ clock: systemClock, workDir: join(dir, 'tableau') });
try {
  log(`Generating the sample company with ${glRows} GL lines…`);
  const company = new SampleCompany({ clock: systemClock, glRows });
  const replica = join(dir, 'replica.hyper');
  const t = performance.now();
  await writeHyperFile(
    engine,
    replica,
    (Object.keys(STREAMS) as (keyof typeof STREAMS)[]).map((s) => ({
      table: { schema: 'replica', name: s, columns: streamByName(s).columns },
      rows: chunks(s, s === 'gl_detail' ? company.list(STREAMS[s], (r) => r.BOOKID === 'ACCRUAL') : company.list(STREAMS[s])),
    })),
  );
  log(`replica written in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const client = createTableauClient({
    serverUrl: tableau.url,
    site: tableau.site,
    auth: { kind: 'pat', name: tableau.patName, secret: tableau.patSecret },
    fetch: createNodeFetch(),
    clock: systemClock,
  });
  await client.signIn();
  const projectId = (await client.findProject('Bench', { create: true }))!.id;
  const stage = (runId: string, full: boolean) =>
    runModels(
      { replica: { path: () => replica, asOf: () => Date.now() }, engine, dir: join(dir, 'models') },
      {
        runId,
        settings: defaultModelSettings(),
        timezone: 'UTC',
        startedAt: Date.now(),
        projectId,
        full,
        datasourceExists: async (name, project) => (await client.findDatasource(name, project)) !== null,
        clock: systemClock,
        load: async (b, o) => ({ datasourceId: (await loadBatch(client, b, o.signal ? { signal: o.signal } : {})).datasourceId, jobId: null }),
        signal: new AbortController().signal,
        log: (level, m) => log(`${level} ${m}`),
      },
    );
  const full = await stage('bench-full', true);
  for (const m of full.models) log(`  ${m.model}: ${m.outcome} ${m.rows ?? ''} rows ${m.seconds.toFixed(1)} s ${m.message ?? ''}`);
  // 0.1 % of the GL lines change (amounts), spread over the ledger.
  await engine.withClient(async (c) => {
    await c.query(`ATTACH DATABASE "${replica}" AS r`);
    await c.query(`UPDATE r.replica.gl_detail SET "DEBITAMOUNT" = "DEBITAMOUNT" + 1, "AMOUNT" = "AMOUNT" + 1
                    WHERE "DEBITAMOUNT" IS NOT NULL AND "RECORDNO" IN (SELECT "RECORDNO" FROM r.replica.gl_detail WHERE "DEBITAMOUNT" IS NOT NULL ORDER BY "RECORDNO" LIMIT ${Math.max(1, Math.round(glRows / 1000))})`);
    await c.query('DETACH DATABASE r');
  });
  const inc = await stage('bench-incremental', false);
  const gl = inc.models.find((m) => m.model === 'gl_balances');
  const round = (x: number | undefined) => Math.round((x ?? 0) * 10) / 10;
  const ok = full.models.every((m) => m.outcome === 'published') && inc.models.every((m) => m.outcome === 'published');
  process.stdout.write(
    `${JSON.stringify({
      glDetailRows: glRows,
      ok,
      modelsFullSec: round(full.seconds),
      modelsIncrementalSec: round(inc.seconds),
      incrementalMonths: gl?.periods?.length ?? null,
      rows: Object.fromEntries(full.models.map((m) => [m.model, m.rows])),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    })}\n`,
  );
} finally {
  await tableau.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
}
