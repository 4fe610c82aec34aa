/**
 * Crash test (issue #4 acceptance 3): `npm run crash-test [-- --kills 20 --gl-rows 20000 --seed 1]`.
 *
 * Hosts both emulators in this process, then runs `ml-connector sync` as a child process again and
 * again, killing it (SIGKILL, its whole process group, hyperd included) at a random moment of each
 * run, with edits, additions and deletions made in Intacct between runs and an occasional forced
 * full reload. Then it lets one run finish and checks that
 * - Tableau equals Intacct for every stream: same key sets (no missing row, no extra row, no
 *   duplicate) and the same money sums to the cent;
 * - no PATCH RequestID was applied twice;
 * - the audit trail accounts for every row: for each row Tableau holds, the record's last applied
 *   audit entry has exactly that row's content hash (and deleted records have none);
 * - the local replica (issue 15) claims no wrong data: every stream whose replica table says it is
 *   current equals Tableau's data source row for row (`replicaCurrent` says how many do).
 * Prints, as its last line, one JSON object: {"ok", "kills", "killedMidRun", "completedRuns", "streams", "auditOk", "replicaOk", ...}.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../main/core/clock';
import { startIntacctEmulator } from '../main/emulators/intacct';
import { startTableauEmulator } from '../main/emulators/tableau';
import { compareReplicaStream, compareStream, demoSettings } from '../main/demo';
import { findHyperd, startHyperEngine } from '../main/core/hyper';
import { readReplicaRows, readReplicaStatus } from '../main/core/replica';
import { openStore } from '../main/core/store';
import { streamDefinitions } from '../main/core/streams/definitions';
import { rowHash, rowKey } from '../main/core/sync/canonical-row';
import { seededRandom } from '../main/core/util/seeded-random';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    'gl-rows': { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    'batch-rows': { type: 'string', default: '2500' },
    'max-kill-ms': { type: 'string', default: '9000' },
  },
});
const kills = Number(values.kills);
const glRows = Number(values['gl-rows']);
const batchRows = Number(values['batch-rows']);
const maxKillMs = Number(values['max-kill-ms']);
/** A repeatable sequence: the same --seed kills at the same moments and makes the same edits. */
const random = seededRandom(Number(values.seed) >>> 0 || 1);
const log = (m: string) => process.stderr.write(`${m}\n`);

const dataDir = mkdtempSync(join(tmpdir(), 'mlc-crash-'));
const intacct = await startIntacctEmulator({ glRows, clock: systemClock });
const tableau = await startTableauEmulator({ clock: systemClock, workDir: join(dataDir, 'tableau-emulator') });
const settings = demoSettings(intacct, tableau);
writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2));
const childEnv = {
  ...process.env,
  ML_INTACCT_SENDER_PASSWORD: intacct.credentials.senderPassword,
  ML_INTACCT_USER_PASSWORD: intacct.credentials.userPassword,
  ML_TABLEAU_PAT_SECRET: tableau.patSecret,
};

/** Runs one `sync` child; kills its process group after `killAfterMs` unless it finished. */
function runSync(killAfterMs: number | null, extra: string[] = []): Promise<{ code: number | null; killed: boolean; ms: number; lastLine: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli.ts', '--data-dir', dataDir, 'sync', '--batch-rows', String(batchRows), ...extra], {
      env: childEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group, so the kill takes hyperd down with it, like a real crash
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    let killed = false;
    const timer =
      killAfterMs === null
        ? null
        : setTimeout(() => {
            killed = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }, killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (!killed && code !== 0) log(stderr);
      const lastLine = stderr.trim().split('\n').pop() ?? '';
      resolve({ code, killed, ms: Date.now() - started, lastLine });
    });
  });
}

/** A few edits, additions and deletions, as a finance team would make between syncs. */
function mutate(round: number): void {
  const c = intacct.company;
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const vendors = [...c.list('VENDOR')].map((r) => Number(r.RECORDNO));
  const gl = [...c.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')];
  for (let i = 0; i < 3; i++) c.edit('VENDOR', pick(vendors), { NAME: `Vendor edited in round ${round}.${i}` });
  c.add('VENDOR', { VENDORID: `CRASH-${round}`, NAME: `Added in round ${round}`, STATUS: 'active', CREDITLIMIT: `${round}00.25` });
  if (random() < 0.5) c.remove('VENDOR', pick(vendors));
  for (let i = 0; i < 20; i++)
    c.edit('GLDETAIL', pick(gl).RECORDNO!, { AMOUNT: `${Math.floor(random() * 100000) - 50000}.${String(Math.floor(random() * 100)).padStart(2, '0')}` });
  for (let i = 0; i < 3; i++) c.remove('GLDETAIL', pick(gl).RECORDNO!);
  c.add('GLDETAIL', { ...pick(gl), RECORDNO: '', AMOUNT: `${round}.01` });
  const lines = [...c.list('APBILLITEM')].map((r) => Number(r.RECORDNO));
  if (random() < 0.5) c.remove('APBILLITEM', pick(lines));
}

let exitCode = 1;
try {
  let killedMidRun = 0;
  let completedRuns = 0;
  // Aim the kills inside a run: once a run has finished, draw the moment from 0.3 s up to 90% of the
  // shortest run seen, so most kills land mid-run (reading, writing, uploading or applying).
  let shortestRunMs = maxKillMs;
  for (let i = 1; i <= kills; i++) {
    if (i > 1) mutate(i);
    const killAfter = 300 + Math.floor(random() * Math.max(200, Math.min(maxKillMs, shortestRunMs * 0.9) - 300));
    const extra = i % 7 === 0 ? ['--full-reload', 'gl_detail'] : [];
    const r = await runSync(killAfter, extra);
    if (r.killed) killedMidRun++;
    else {
      completedRuns++;
      shortestRunMs = Math.min(shortestRunMs, r.ms);
    }
    log(
      `run ${i}: ${r.killed ? `killed after ${killAfter} ms, during "${r.lastLine}"` : `finished (exit ${r.code}) in ${r.ms} ms`}${extra.length ? ' [full reload]' : ''}`,
    );
    // WHENMODIFIED has whole seconds: keep edits of the next round apart from this run's start.
    await new Promise((res) => setTimeout(res, 1100));
  }
  mutate(kills + 1);
  let final = await runSync(null);
  if (final.code !== 0) final = await runSync(null);
  log(`final run: exit ${final.code} in ${final.ms} ms`);

  const streams = [];
  for (const def of streamDefinitions) {
    streams.push(await compareStream(def, settings, { intacctRecords: (o) => intacct.company.list(o), tableauRows: (n) => tableau.readRows(n) }));
  }
  for (const s of streams.filter((x) => !x.match)) log(`MISMATCH ${s.name}: ${s.problems.join('; ')}`);

  // The audit trail accounts for every row Tableau holds.
  const store = openStore(join(dataDir, 'connector.sqlite'));
  let auditMismatches = 0;
  let auditedRows = 0;
  for (const def of streamDefinitions) {
    const rows = (await tableau.readRows(settings.tableau.datasourceNames[def.name] || def.target.datasource)) ?? [];
    const keys = rows.map((r) => rowKey(def, r));
    const applied = store.lastAppliedHashes(def.name, keys);
    for (const row of rows) {
      auditedRows++;
      if (applied.get(rowKey(def, row)) !== rowHash(def, row)) {
        if (auditMismatches++ < 5) log(`audit: ${def.name} ${rowKey(def, row)} has no applied entry with its content`);
      }
    }
  }
  store.close();

  // The replica, read with a hyperd of our own (the CLI's went with it).
  const engine = await startHyperEngine({ hyperdPath: findHyperd({ projectRoot: process.cwd() }), logDir: join(dataDir, 'replica-check-logs') });
  const replica: { name: string; state: string; match: boolean }[] = [];
  try {
    const status = await readReplicaStatus(engine, dataDir, streamDefinitions);
    for (const def of streamDefinitions) {
      const state = status.streams.find((s) => s.stream === def.name)!.state;
      const rows = await tableau.readRows(settings.tableau.datasourceNames[def.name] || def.target.datasource);
      const cmp = compareReplicaStream(def, rows, state === 'current' ? await readReplicaRows(engine, dataDir, def) : rows);
      if (!cmp.match) log(`REPLICA MISMATCH ${def.name}: ${cmp.problems.join('; ')}`);
      replica.push({ name: def.name, state, match: cmp.match });
    }
  } finally {
    await engine.stop();
  }
  const replicaOk = replica.every((s) => s.match);
  const ids = tableau.appliedRequestIds;
  const duplicateRequestIds = ids.length - new Set(ids).size;
  const ok = final.code === 0 && streams.every((s) => s.match) && auditMismatches === 0 && duplicateRequestIds === 0 && replicaOk;
  exitCode = ok ? 0 : 1;
  process.stdout.write(
    `${JSON.stringify({
      ok,
      kills,
      killedMidRun,
      completedRuns,
      glRows,
      streams: streams.map(({ name, intacctRows, tableauRows, match }) => ({ name, intacctRows, tableauRows, match })),
      auditOk: auditMismatches === 0,
      auditedRows,
      auditMismatches,
      duplicateRequestIds,
      replicaOk,
      replicaCurrent: replica.filter((s) => s.state === 'current').length,
      replica: replica.map((s) => `${s.name}:${s.state}`),
    })}\n`,
  );
} finally {
  await Promise.allSettled([intacct.close(), tableau.close()]);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
