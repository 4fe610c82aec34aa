/**
 * Write rates of the SQLite tables a sync writes to on every batch, on a real file in WAL mode:
 * the audit trail (recordAudit of a 200,000-row batch in random key order, then markAudit
 * 'applied', which also updates record_latest) and the ledger (stage + commit of the same keys).
 * It goes through the store and ledger APIs only, so it measures whatever SQLite driver they use.
 *
 *   npm run bench:sqlite [-- --rows 200000 --batches 3]
 *   npm run bench:sqlite -- --driver better-sqlite3 --driver-path /tmp/bs3/node_modules/better-sqlite3
 *   npm run bench:sqlite -- --code old --driver better-sqlite3 --driver-path /tmp/bs3/node_modules/better-sqlite3
 *
 * `--driver better-sqlite3` runs the same store code on a better-sqlite3 installed outside the
 * repository (it is not a dependency of the product; issue 10 asks that the product driver's rates,
 * @photostructure/sqlite's through main/core/store/sqlite.ts, be compared with it). Its Database has the interface the store uses (main/core/store/sqlite.ts), so the only
 * thing that changes is the driver. `--code old` runs the statements of the time better-sqlite3 was
 * the driver (scripts/bench-sqlite-old-code.ts) for the measures whose statements changed since:
 * issue 10's baseline is better-sqlite3 with that code.
 *
 * The entries vary where a sync batch's do (key, content hash, time, WHENMODIFIED, insert or
 * update; account, period and amount of a GL row) and share what a batch shares (run, stream,
 * RequestID, result, op), so binding shared values once (main/core/store/chunked-insert.ts) gains
 * only what it gains in a real run.
 *
 * Prints one line per measure and a JSON line last: rows per second of wall-clock time
 * (`rowsPerSecond`) and of the process's CPU time (`rowsPerCpuSecond`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { openStore } from '../main/core/store';
import type { Database, OpenDatabase } from '../main/core/store/sqlite';
import { openLedger, type LedgerEntry } from '../main/core/sync/ledger';
import type { AuditEntry } from '../shared/types';
import { oldCode } from './bench-sqlite-old-code';
import { loadavg } from 'node:os';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rows = arg('rows', 200_000);
const batches = arg('batches', 3);
const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const driver = option('driver') ?? 'product';
const code = option('code') ?? 'new';
if (code !== 'new' && code !== 'old') throw new Error(`--code must be new or old, not ${code}`);

/** The driver to measure: the product's, through its wrapper (default), or better-sqlite3 from a path. */
function chooseDriver(): { openDatabase?: OpenDatabase; version: string } {
  if (driver === 'product') {
    const entry = createRequire(import.meta.url).resolve('@photostructure/sqlite');
    const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    return { version: `@photostructure/sqlite ${version}` };
  }
  if (driver !== 'better-sqlite3') throw new Error(`--driver must be product or better-sqlite3, not ${driver}`);
  const path = option('driver-path');
  if (!path) throw new Error('--driver better-sqlite3 needs --driver-path <folder of an installed better-sqlite3>');
  const require = createRequire(import.meta.url);
  const BetterSqlite3 = require(resolve(path)) as new (file: string, o?: { readonly?: boolean }) => Database;
  const { version } = require(join(resolve(path), 'package.json')) as { version: string };
  return { openDatabase: (file, o) => new BetterSqlite3(file, o), version: `better-sqlite3 ${version}` };
}
const chosen = chooseDriver();

// Keys in a fixed pseudo-random order (GL detail arrives in WHENMODIFIED order, not key order).
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
const keys = (batch: number) => {
  const out = Array.from({ length: rows }, (_, i) => String(batch * rows + i + 1));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-sqlite-'));
const store = openStore(join(dir, 'store.sqlite'), chosen.openDatabase ? { openDatabase: chosen.openDatabase } : {});
const sqliteVersion = (store.database.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
// The ledger's tables are in the store's file (schema 4), so they share its connection and settings.
const ledger = openLedger(store.database);
const old = code === 'old' ? oldCode(store.database) : null;
const recordAudit = old ? old.recordAudit : (entries: readonly AuditEntry[]) => store.recordAudit(entries);
const stage = old ? old.stage : ledger.stage;
const hashes = old ? old.hashes : ledger.hashes;
const load0 = loadavg()[0]!;
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
type Measure = 'auditRecord' | 'auditMark' | 'ledgerStage' | 'ledgerCommit' | 'ledgerHashes';
const measures: readonly Measure[] = ['auditRecord', 'auditMark', 'ledgerStage', 'ledgerCommit', 'ledgerHashes'];
const results = Object.fromEntries(measures.map((m) => [m, [] as number[]])) as Record<Measure, number[]>;
// Rows per second of this process's CPU time (user + system) too: on a machine shared with other
// work the wall-clock rate mostly measures the contention, while the CPU rate still compares the
// drivers (a WAL commit at synchronous=NORMAL does not wait for the disk, so little time is I/O).
const cpuResults = Object.fromEntries(measures.map((m) => [m, [] as number[]])) as Record<Measure, number[]>;
/** Runs `fn` and records its wall-clock and CPU rates under `m`. */
function measure<T>(m: Measure, fn: () => T): T {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  results[m].push(rate(rows, wallMs));
  cpuResults[m].push(rate(rows, (cpu.user + cpu.system) / 1000));
  return out;
}
try {
  for (let b = 0; b < batches; b++) {
    const ks = keys(b);
    const requestId = `req-${b}`;
    const audit: AuditEntry[] = ks.map((k, i) => ({
      runId: 'run-1',
      stream: 'gl_detail',
      recordKey: k,
      whenModified: `2026-01-15 ${String(6 + (Math.floor(i / 3600) % 18)).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
      contentHash: `h${k}-${i}`.padEnd(40, '0'),
      action: i % 4 === 0 ? 'update' : 'insert',
      requestId,
      jobId: null,
      result: 'pending',
      at: 1_768_456_800_000 + i,
    }));
    measure('auditRecord', () => recordAudit(audit));
    measure('auditMark', () => store.markAudit('run-1', 'gl_detail', requestId, { result: 'applied', jobId: `job-${b}` }));

    const entries: LedgerEntry[] = ks.map((k, i) => ({
      key: k,
      hash: `h${k}`.padEnd(40, '0'),
      op: 'upsert',
      account: String(4000 + (i % 40) * 10),
      period: `2026-${String(1 + (i % 12)).padStart(2, '0')}`,
      amountUnits: BigInt((i * 7919) % 1_000_000) - 500_000n,
    }));
    measure('ledgerStage', () => stage(requestId, 'gl_detail', entries));
    measure('ledgerCommit', () => ledger.commit(requestId, 'gl_detail'));
    const held = measure('ledgerHashes', () => hashes('gl_detail', ks));
    if (held.size !== rows) throw new Error(`ledger holds ${held.size} of ${rows} keys`);
  }
} finally {
  store.close();
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = Object.fromEntries(measures.map((m) => [m, median(results[m])]));
const cpuSummary = Object.fromEntries(measures.map((m) => [m, median(cpuResults[m])]));
for (const m of measures) {
  console.log(
    `${m.padEnd(14)} ${summary[m]!.toLocaleString('en-US')} rows/s, ${cpuSummary[m]!.toLocaleString('en-US')} per CPU second (median of ${batches} batches of ${rows.toLocaleString('en-US')})`,
  );
}
// What an A/B needs beside the rates: which driver, SQLite and code ran, and how busy the machine was.
const load = [load0, loadavg()[0]!].map((l) => Math.round(l * 100) / 100);
console.log(
  JSON.stringify({
    driver: chosen.version,
    sqlite: sqliteVersion,
    code,
    node: process.version,
    loadAverage: load,
    rows,
    batches,
    rowsPerSecond: summary,
    rowsPerCpuSecond: cpuSummary,
  }),
);
