/**
 * `npm run bench:tableau [-- --rows N] [--repeat N] [--skip-upload] [--skip-patch]`
 *
 * For N (default 1,000,000) GL-detail-shaped rows, measures:
 * - hyperWriteSec: writeHyperFile from a deterministic row generator (encode the rows in Node, in
 *   the writer's default format, Hyper's binary COPY format; COPY FROM STDIN into hyperd; DETACH);
 *   `--format csv` times the CSV route instead;
 * - hyperdCsvLoadSec: hyperd loading the same rows from a CSV file on disk (written first, untimed)
 *   with a server-side `COPY … FROM '<file>'`, into a fresh database (same CREATE/ATTACH/DETACH);
 * - writeRatio = hyperdCsvLoadSec / hyperWriteSec (target ≥ 0.5: our writer costs at most twice
 *   what hyperd needs for the bare load);
 * - fileMb: size of the .hyper;
 * - uploadApplySec: publish of that file to the Tableau emulator (run as its own process, so its
 *   memory is not counted here) through the project's REST client and loader, plus an upload +
 *   PATCH upsert of the same file into the published data source (job followed to the end);
 * - peakRssMb: this process's peak resident set (target < 300 MB).
 * Each timing is the best of `--repeat` runs (default 2) after an untimed warm-up.
 * The LAST line is one JSON object with those keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import {
  findHyperd,
  startHyperEngine,
  writeHyperFile,
  createCsvEncoder,
  createTableSql,
  qualifiedTable,
  quoteIdent,
  quoteLiteral,
  type CopyFormat,
  type HyperEngine,
  type HyperTable,
} from '../main/core/hyper';
import { streamByName } from '../main/core/streams/definitions';
import type { Row } from '../main/core/streams/types';
import { systemClock } from '../main/core/clock';
import { createNodeFetch } from '../main/core/http/transport';

const argv = process.argv.slice(2);
const argValue = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ROWS = Number(argValue('rows') ?? 1_000_000);
const SKIP_UPLOAD = argv.includes('--skip-upload');
const FORMAT = (argValue('format') ?? 'hyperbinary') as CopyFormat;
if (FORMAT !== 'hyperbinary' && FORMAT !== 'csv') throw new Error('--format is hyperbinary or csv');
/** Each timing is the best of this many runs: other work on the machine only ever adds time. */
const REPEAT = Math.max(1, Number(argValue('repeat') ?? 2));
const BATCH = 2000; // one Intacct page

const stream = streamByName('gl_detail');
const table: HyperTable = { schema: 'Extract', name: 'Extract', columns: stream.columns };

/** CPU seconds a process has used so far (Linux /proc; null elsewhere), to see which side of the COPY is busy. */
function processCpuSec(pid: number): number | null {
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : null;
  const f = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return f ? (Number(f[11]) + Number(f[12])) / 100 : null; // utime + stime, in clock ticks of 1/100 s
}

/** Peak RSS sampled often (resourceUsage().maxRSS is the kernel's own high-water mark, in KB). */
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

// ---- deterministic GL detail rows -----------------------------------------------------------
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const DAYS: string[] = [];
for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2026, 0, 1); t += 86_400_000) DAYS.push(new Date(t).toISOString().slice(0, 10));
const TIMES: string[] = Array.from({ length: 1440 }, (_, m) => ` ${pad2(Math.floor(m / 60))}:${pad2(m % 60)}:${pad2((m * 7) % 60)}`);
const ACCOUNTS = Array.from({ length: 120 }, (_, i) => ({
  no: String(1000 + i * 10),
  title: `Account ${1000 + i * 10} – ${['Cash', 'Receivables', 'Payables', 'Revenue', 'Expenses, other'][i % 5]}`,
}));
const DEPTS = ['D100', 'D200', 'D300', 'D400', null];
const LOCS = ['NYC', 'LON', 'SFO', null];
const VENDORS = Array.from({ length: 500 }, (_, i) => `V${String(i).padStart(5, '0')}`);
// Names and numbers from small pools, as a page's repeated values are: the writer is timed on the
// strings it gets, not on the generator building new ones per row.
const VENDOR_NAMES = VENDORS.map((v) => `Vendor ${v}`);
const DEPT_TITLES = DEPTS.map((d) => (d ? `Department ${d}` : null));
const LOC_NAMES = LOCS.map((l) => (l ? `Location ${l}` : null));
const CUSTOMER_IDS = Array.from({ length: 300 }, (_, i) => `C${String(i).padStart(4, '0')}`);
const CUSTOMER_NAMES = CUSTOMER_IDS.map((c) => `Customer ${c}`);
const DOC_NUMBERS = Array.from({ length: 5000 }, (_, i) => `INV-${100_000 + i}`);
const BATCH_TITLES = Array.from({ length: 1000 }, (_, i) => `Batch ${5000 + i}`);
const DESCRIPTIONS = [
  'Monthly rent',
  'Office supplies, Q3',
  'Invoice 4411 "West" region',
  'Consulting – Müller GmbH',
  'Travel: 中文 conference',
  'Line one\nline two',
  '',
  null,
];

/** xorshift32: cheap, deterministic. */
function makeRandom(seed: number) {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function amount(cents: number): string {
  const neg = cents < 0;
  const a = neg ? -cents : cents;
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${pad2(a % 100)}`;
}

/** GL-detail rows in pages of BATCH, the same sequence on every call. */
function* glRows(total: number): Generator<Row[]> {
  const rnd = makeRandom(20260115);
  for (let start = 0; start < total; start += BATCH) {
    const n = Math.min(BATCH, total - start);
    const page: Row[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const acct = ACCOUNTS[Math.floor(rnd() * ACCOUNTS.length)]!;
      const day = DAYS[Math.floor(i / 1000) % DAYS.length]!;
      const cents = Math.floor(rnd() * 20_000_000) - 10_000_000;
      const debit = cents >= 0;
      const ts = day + TIMES[i % 1440]!;
      const batch = 5000 + Math.floor(i / 8);
      const ap = i % 3 !== 0;
      const vendor = ap ? VENDORS[i % VENDORS.length]! : null;
      const eur = ap && i % 7 === 0;
      const trx = eur ? Math.round(cents / 1.0875) : cents;
      // As GLDETAIL sends them (intacct-objects.md): a text RECORDNO, the journal in SYMBOL, the
      // owning entity through CHILDENTITY, one-letter STATE beside its label, WHENCREATED a date.
      page[k] = {
        RECORDNO: `${200_000 + Math.floor(i / 8)}-${1_000_000 + i}-${30_001 + (i % 8)}--accrual`,
        BATCH_DATE: day,
        BATCH_NO: batch,
        BATCH_TITLE: BATCH_TITLES[batch % BATCH_TITLES.length]!,
        SYMBOL: ap ? 'APJ' : 'GJ',
        BOOKID: 'ACCRUAL',
        MODULEKEY: ap ? '3.AP' : '2.GL',
        LINE_NO: (i % 8) + 1,
        ENTRY_DATE: day,
        ACCOUNTNO: acct.no,
        ACCOUNTTITLE: acct.title,
        AMOUNT: amount(cents),
        DEBITAMOUNT: debit ? amount(cents) : null,
        CREDITAMOUNT: debit ? null : amount(-cents),
        TRX_AMOUNT: amount(trx),
        TRX_DEBITAMOUNT: debit ? amount(trx) : null,
        TRX_CREDITAMOUNT: debit ? null : amount(-trx),
        TR_TYPE: debit ? 1 : -1,
        CURRENCY: eur ? 'EUR' : 'USD',
        BASECURR: 'USD',
        DEPARTMENTID: DEPTS[i % DEPTS.length]!,
        DEPARTMENTTITLE: DEPT_TITLES[i % DEPTS.length]!,
        LOCATIONID: LOCS[i % LOCS.length]!,
        LOCATIONNAME: LOC_NAMES[i % LOCS.length]!,
        CHILDENTITY: i % 10 === 0 ? 'E200' : 'E100',
        CLASSID: i % 4 === 0 ? 'C10' : null,
        CLASSNAME: i % 4 === 0 ? 'Wholesale' : null,
        PROJECTID: null,
        PROJECTNAME: null,
        CUSTOMERID: ap ? null : CUSTOMER_IDS[i % CUSTOMER_IDS.length]!,
        CUSTOMERNAME: ap ? null : CUSTOMER_NAMES[i % CUSTOMER_IDS.length]!,
        VENDORID: vendor,
        VENDORNAME: ap ? VENDOR_NAMES[i % VENDORS.length]! : null,
        EMPLOYEEID: null,
        EMPLOYEENAME: null,
        ITEMID: null,
        ITEMNAME: null,
        WAREHOUSEID: null,
        WAREHOUSENAME: null,
        DESCRIPTION: DESCRIPTIONS[i % DESCRIPTIONS.length]!,
        DOCNUMBER: ap ? DOC_NUMBERS[i % DOC_NUMBERS.length]! : null,
        STATE: 'P',
        STATE_LABEL: 'Posted',
        WHENCREATED: day,
        WHENMODIFIED: ts,
      };
    }
    yield page;
  }
}

// ---- measurements ---------------------------------------------------------------------------
async function writeCsvFile(path: string): Promise<void> {
  const encode = createCsvEncoder(table.columns);
  const out = createWriteStream(path);
  let chunk = '';
  for (const page of glRows(ROWS)) {
    for (const row of page) chunk += encode(row);
    if (chunk.length > 256 * 1024) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/**
 * hyperd's own CSV load: the same statements as the writer, but COPY reads the file itself
 * (`COPY-FILE`), or the file's bytes are streamed through COPY FROM STDIN (`COPY-STDIN`).
 */
async function hyperdCsvLoad(engine: HyperEngine, csvPath: string, hyperPath: string, mode: 'COPY-FILE' | 'COPY-STDIN', check = true): Promise<number> {
  return engine.withClient(async (client) => {
    const alias = 'csvload';
    const t0 = performance.now();
    await client.query(`CREATE DATABASE ${quoteIdent(hyperPath)}`);
    await client.query(`ATTACH DATABASE ${quoteIdent(hyperPath)} AS ${quoteIdent(alias)}`);
    await client.query(`CREATE SCHEMA ${quoteIdent(alias)}."Extract"`);
    await client.query(createTableSql(alias, table));
    let loaded: number | null;
    if (mode === 'COPY-FILE') {
      const r = await client.query(`COPY ${qualifiedTable(alias, table)} FROM ${quoteLiteral(csvPath)} WITH (FORMAT CSV, HEADER false, NULL '')`);
      loaded = r.rowCount;
    } else {
      const copy = client.query(
        copyFrom(`COPY ${qualifiedTable(alias, table)} FROM STDIN WITH (FORMAT CSV, HEADER false, NULL '')`, { highWaterMark: 8 * 1024 * 1024 }),
      );
      await pipeline(createReadStream(csvPath, { highWaterMark: 256 * 1024 }), copy);
      loaded = copy.rowCount;
    }
    await client.query(`DETACH DATABASE ${quoteIdent(alias)}`);
    const sec = (performance.now() - t0) / 1000;
    rmSync(hyperPath, { force: true });
    if (check && loaded !== ROWS) throw new Error(`${mode} loaded ${loaded} rows, expected ${ROWS}`);
    return sec;
  });
}

/** The emulator as its own process (its memory is not ours); resolves with its first-line JSON. */
async function startEmulatorProcess(
  hyperdPath: string,
): Promise<{ child: ChildProcess; info: { url: string; site: string; patName: string; patSecret: string } }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/emulators/tableau/cli.ts', '--port', '0', '--hyperd', hyperdPath], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the Tableau emulator exited (${code}) before printing its address`)));
  });
  return { child, info: JSON.parse(first) as { url: string; site: string; patName: string; patSecret: string } };
}

async function uploadApply(hyperdPath: string, file: string): Promise<{ publishSec: number; patchSec: number | null }> {
  const { createTableauClient, loadBatch } = await import('../main/core/tableau');
  const { child, info } = await startEmulatorProcess(hyperdPath);
  try {
    const client = createTableauClient({
      serverUrl: info.url,
      site: info.site,
      auth: { kind: 'pat', name: info.patName, secret: info.patSecret },
      fetch: createNodeFetch(),
      clock: systemClock,
      timeoutMs: 600_000,
      jobPoll: { initialDelayMs: 100, factor: 1.2, maxDelayMs: 500 },
    });
    const project = await client.findProject('Benchmarks', { create: true });
    if (!project) throw new Error('could not create the benchmark project');
    const t0 = performance.now();
    const first = await loadBatch(client, {
      stream,
      datasourceName: 'Bench GL Detail',
      projectId: project.id,
      existingDatasourceId: null,
      upsertFile: file,
      requestId: 'bench:publish',
      fullLoad: true,
    });
    const publishSec = (performance.now() - t0) / 1000;
    let patchSec: number | null = null;
    if (!argv.includes('--skip-patch')) {
      const t1 = performance.now();
      await loadBatch(client, {
        stream,
        datasourceName: 'Bench GL Detail',
        projectId: project.id,
        existingDatasourceId: first.datasourceId,
        upsertFile: file,
        requestId: 'bench:patch',
        fullLoad: false,
      });
      patchSec = (performance.now() - t1) / 1000;
    }
    await client.signOut().catch(() => undefined);
    return { publishSec, patchSec };
  } finally {
    child.kill('SIGTERM');
    const exited = once(child, 'exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tableau-'));
  const hyperdPath = findHyperd({ projectRoot: process.cwd(), env: { HYPERD_PATH: process.env.HYPERD_PATH } });
  // The reference CSV load reads a file from `dir`, the one folder this engine may read from.
  const engine = await startHyperEngine({ hyperdPath, logDir: join(dir, 'hyperd-logs'), readableFilesDir: dir });
  try {
    // Warm-up (untimed): JIT-compile the generator and encoders and let hyperd load its code, so
    // both timings below are steady-state and neither pays a one-off start cost.
    await writeHyperFile(engine, join(dir, 'warmup.hyper'), [{ table, rows: glRows(Math.min(ROWS, 50_000)) }], { format: FORMAT });
    rmSync(join(dir, 'warmup.hyper'), { force: true });

    const payload = join(dir, 'gl_detail.hyper');
    let hyperWriteSec = Infinity;
    let bytes = 0;
    for (let run = 0; run < REPEAT; run++) {
      const cpu0 = process.cpuUsage();
      const hyperd0 = processCpuSec(engine.pid);
      const t0 = performance.now();
      const written = await writeHyperFile(engine, payload, [{ table, rows: glRows(ROWS) }], { format: FORMAT });
      const sec = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const hyperd1 = processCpuSec(engine.pid);
      if (written.rowCounts[0] !== ROWS) throw new Error(`wrote ${written.rowCounts[0]} rows, expected ${ROWS}`);
      const hyperdCpu = hyperd0 === null || hyperd1 === null ? '' : `, hyperd ${(hyperd1 - hyperd0).toFixed(2)} s`;
      console.log(
        `hyper write #${run + 1} (${FORMAT}): ${ROWS} rows in ${sec.toFixed(2)} s (CPU: this process ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s${hyperdCpu})`,
      );
      hyperWriteSec = Math.min(hyperWriteSec, sec);
      bytes = written.bytes;
    }
    const fileMb = Math.round((bytes / 1024 / 1024) * 10) / 10;
    console.log(`hyper write: best ${hyperWriteSec.toFixed(2)} s, ${fileMb} MB`);

    const csvPath = join(dir, 'gl_detail.csv');
    await writeCsvFile(csvPath);
    console.log(`csv file: ${(statSync(csvPath).size / 1024 / 1024).toFixed(1)} MB (untimed)`);
    await hyperdCsvLoad(engine, csvPath, join(dir, 'csv-warmup.hyper'), 'COPY-FILE', false); // warm-up, untimed
    let hyperdCsvLoadSec = Infinity;
    for (let run = 0; run < REPEAT; run++) {
      const sec = await hyperdCsvLoad(engine, csvPath, join(dir, 'csv-load.hyper'), 'COPY-FILE');
      console.log(`hyperd server-side CSV load #${run + 1}: ${sec.toFixed(2)} s`);
      hyperdCsvLoadSec = Math.min(hyperdCsvLoadSec, sec);
    }
    // Diagnostic: the same CSV bytes sent through COPY FROM STDIN with no encoding work in Node,
    // i.e. the floor for any writer that streams over the wire.
    const stdinSec = await hyperdCsvLoad(engine, csvPath, join(dir, 'csv-stdin.hyper'), 'COPY-STDIN');
    console.log(`hyperd COPY FROM STDIN of the ready CSV file (no encoding in Node; floor for a streaming CSV writer): ${stdinSec.toFixed(2)} s`);
    rmSync(csvPath, { force: true });

    let uploadApplySec: number | null = null;
    if (SKIP_UPLOAD) {
      console.log('upload/apply: skipped (--skip-upload)');
    } else {
      const r = await uploadApply(hyperdPath, payload).catch((err: unknown) => {
        // The JSON line still comes out, with uploadApplySec null and the reason printed above it.
        console.log(`upload/apply: not measured (${err instanceof Error ? err.message : String(err)})`);
        return null;
      });
      if (r) {
        // Both ways a file reaches Tableau: the first load publishes it, later loads upload it and
        // PATCH (upsert on RECORDNO, applied by the emulator through hyperd).
        uploadApplySec = r.publishSec + (r.patchSec ?? 0);
        console.log(`publish to the emulator (upload + create the data source): ${r.publishSec.toFixed(2)} s`);
        if (r.patchSec !== null) console.log(`upload + PATCH upsert of the same ${ROWS} rows into it: ${r.patchSec.toFixed(2)} s`);
        console.log(`uploadApplySec = publish + PATCH = ${uploadApplySec.toFixed(2)} s`);
      }
    }

    const round = (x: number) => Math.round(x * 1000) / 1000;
    console.log(
      JSON.stringify({
        rows: ROWS,
        hyperWriteSec: round(hyperWriteSec),
        hyperdCsvLoadSec: round(hyperdCsvLoadSec),
        writeRatio: round(hyperdCsvLoadSec / hyperWriteSec),
        fileMb,
        uploadApplySec: uploadApplySec === null ? null : round(uploadApplySec),
        peakRssMb: peakRssMb(),
      }),
    );
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
