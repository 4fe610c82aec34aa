/**
 * Sync benchmark (issue #4 acceptance 6): `npm run bench:sync [-- --gl-rows 1000000 --latency-ms 500]`.
 *
 * Both emulators run in a child process (this same script with `--emulators`), so this process holds
 * only the connector: its peak RSS is the connector's. The sample company has `--gl-rows` GL detail
 * rows and the Intacct emulator answers every request after `--latency-ms`. Measured, for the GL
 * detail stream:
 * - fullRunSec: the first (full) run's wall time, from start to the tie-out;
 * - extractOnlySec: within that same run, the time the Intacct reads take: from the stream's first
 *   read to the arrival of its last page (what a run would take if loading cost nothing);
 * - incrementalSec: a second run after 0.1 % of the GL rows changed;
 * - peakRssMb: this process's peak resident set size;
 * - incrementalPhases: where the incremental run's time went (start, read, load, models, tieOut,
 *   rest; bench-phases.ts says how each is measured), so the figure explains itself;
 * - modelsSec: within the full run, the finance models' stage (build, checks and publish of every
 *   model, issue 15); null when the models were not built (no local replica yet), with the reason
 *   on stderr. GL accounts are synced too, since the GL models need them.
 * Targets: fullRunSec ≤ 1.25 × extractOnlySec (loading overlaps extraction), incrementalSec < 10,
 * peakRssMb < 400. Prints one JSON object as its last line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../main/core/clock';
import { createNodeFetch } from '../main/core/http/transport';
import { phaseRecorder } from './bench-phases';

const { values } = parseArgs({
  options: {
    emulators: { type: 'boolean' },
    'gl-rows': { type: 'string', default: '1000000' },
    'latency-ms': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '2' },
  },
});
const glRows = Number(values['gl-rows']);
const latencyMs = Number(values['latency-ms']);
const log = (m: string) => process.stderr.write(`${m}\n`);
/** The connector's heap limit (MB), as bin/ml-connector.mjs sets it. */
const HEAP_MB = 256;

if (values.emulators) {
  // Child: host both emulators; answer `mutate <n>` and `exit` on stdin.
  const { startIntacctEmulator } = await import('../main/emulators/intacct');
  const { startTableauEmulator } = await import('../main/emulators/tableau');
  const work = mkdtempSync(join(tmpdir(), 'mlc-bench-emu-'));
  const intacct = await startIntacctEmulator({ glRows, latencyMs, clock: systemClock });
  const tableau = await startTableauEmulator({ clock: systemClock, workDir: work });
  process.stdout.write(
    `${JSON.stringify({ intacct: { url: intacct.url, ...intacct.credentials }, tableau: { url: tableau.url, site: tableau.site, patName: tableau.patName, patSecret: tableau.patSecret } })}\n`,
  );
  const stop = async () => {
    await Promise.allSettled([intacct.close(), tableau.close()]);
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(/\s+/);
    if (cmd === 'mutate') {
      const n = Number(arg);
      const c = intacct.company;
      let i = 0;
      // Every k-th ACCRUAL row, so the changes spread over the whole ledger.
      const step = Math.max(1, Math.floor(glRows / n));
      let seen = 0;
      for (const r of c.list('GLDETAIL', (x) => x.BOOKID === 'ACCRUAL')) {
        if (seen++ % step !== 0) continue;
        c.edit('GLDETAIL', r.RECORDNO!, { AMOUNT: `${(i % 997) + 1}.${String(i % 100).padStart(2, '0')}` });
        if (++i >= n) break;
      }
      process.stdout.write(`mutated ${i}\n`);
    } else if (cmd === 'exit') {
      await stop();
    }
  }
  await stop();
} else if (!process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) {
  // Run the connector the way the headless service is meant to run: with a bounded heap, so V8
  // collects garbage instead of growing the heap (the working set is a few pages and batches).
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else {
  const { createConnectorService } = await import('../main/core/service/connector-service');
  const { defaultFactories } = await import('../main/core/service/default-factories');
  const { defaultSettings } = await import('../main/core/service/settings');
  const { memorySecretStore, memorySettingsStore } = await import('../main/core/service/stores');

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/bench-sync.ts', '--emulators', '--gl-rows', String(glRows), '--latency-ms', String(latencyMs)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => String((await lines.next()).value ?? '');
  const dataDir = mkdtempSync(join(tmpdir(), 'mlc-bench-sync-'));
  let service: Awaited<ReturnType<typeof createConnectorService>> | null = null;
  try {
    log(`Starting emulators with ${glRows} GL detail rows and ${latencyMs} ms Intacct latency…`);
    const emu = JSON.parse(await nextLine()) as {
      intacct: { url: string; senderId: string; senderPassword: string; companyId: string; userId: string; userPassword: string };
      tableau: { url: string; site: string; patName: string; patSecret: string };
    };
    const settings = defaultSettings();
    settings.intacct = {
      ...settings.intacct,
      senderId: emu.intacct.senderId,
      companyId: emu.intacct.companyId,
      userId: emu.intacct.userId,
      endpoint: emu.intacct.url,
      concurrency: Number(values.concurrency),
    };
    settings.tableau = {
      ...settings.tableau,
      kind: 'server',
      serverUrl: emu.tableau.url,
      site: emu.tableau.site,
      patName: emu.tableau.patName,
      project: 'Bench',
      createProject: true,
    };
    settings.streams.glDetailStartDate = '';
    settings.schedule.preset = { kind: 'manual' };
    service = await createConnectorService({
      clock: systemClock,
      fetch: createNodeFetch({}),
      secrets: memorySecretStore({
        intacctSenderPassword: emu.intacct.senderPassword,
        intacctUserPassword: emu.intacct.userPassword,
        tableauPatSecret: emu.tableau.patSecret,
      }),
      settings: memorySettingsStore(settings),
      dataDir,
      factories: defaultFactories({ projectRoot: process.cwd() }),
      log: (e) => {
        if (e.level !== 'debug') log(`${new Date(e.at).toISOString()} ${e.message}`);
      },
    });
    let readStart = 0;
    let lastPage = 0;
    let nextReport = 100_000;
    const phases = phaseRecorder();
    let lastPhase = '';
    service.onEvent((e) => {
      phases.observe(e);
      // Each change of a stream's phase, on stderr: where a run's time goes, step by step.
      if (e.type === 'progress' && `${e.progress.stream} ${e.progress.phase}` !== lastPhase) {
        lastPhase = `${e.progress.stream} ${e.progress.phase}`;
        log(`${new Date().toISOString()}   ${lastPhase}${e.progress.message ? ` (${e.progress.message})` : ''}`);
      }
    });
    service.onEvent((e) => {
      if (e.type !== 'progress' || e.progress.stream !== 'gl_detail') return;
      if (e.progress.phase === 'reading') {
        if (!readStart) readStart = performance.now();
        if (e.progress.rowsDone > 0) lastPage = performance.now();
        if (e.progress.rowsDone >= nextReport) {
          log(
            `  ${e.progress.rowsDone} rows read after ${((performance.now() - readStart) / 1000).toFixed(0)} s (RSS ${Math.round(process.memoryUsage.rss() / 1048576)} MB)`,
          );
          nextReport += 100_000;
        }
      }
    });

    const t0 = performance.now();
    const full = await service.runNow({ streams: ['gl_account', 'gl_detail'], trigger: 'cli' });
    const fullRunSec = (performance.now() - t0) / 1000;
    if (!('outcome' in full) || full.outcome !== 'succeeded') throw new Error(`full run failed: ${JSON.stringify('outcome' in full ? full.error : full)}`);
    const extractOnlySec = (lastPage - readStart) / 1000;
    log(`full run ${fullRunSec.toFixed(1)} s, reads ${extractOnlySec.toFixed(1)} s, ${full.rowsMoved} rows`);
    const built = full.models?.models.filter((m) => m.outcome === 'published') ?? [];
    const modelsSec = built.length && full.models?.seconds !== undefined ? full.models.seconds : null;
    log(
      modelsSec === null
        ? `models not built: ${full.models?.skippedReason ?? full.models?.models.map((m) => m.message).join(' ') ?? 'no model stage'}`
        : `models ${modelsSec.toFixed(1)} s: ${built.map((m) => `${m.model} ${m.rows} rows`).join(', ')}`,
    );

    child.stdin!.write(`mutate ${Math.max(1, Math.round(glRows / 1000))}\n`);
    log(await nextLine());
    await new Promise((r) => setTimeout(r, 1100));
    const t1 = performance.now();
    phases.begin();
    const inc = await service.runNow({ streams: ['gl_account', 'gl_detail'], trigger: 'cli' });
    const incrementalSec = (performance.now() - t1) / 1000;
    if (!('outcome' in inc) || inc.outcome !== 'succeeded') throw new Error(`incremental run failed: ${JSON.stringify('outcome' in inc ? inc.error : inc)}`);
    log(`incremental run ${incrementalSec.toFixed(1)} s, ${inc.rowsMoved} rows`);
    const incrementalPhases = phases.phases(incrementalSec, inc.models?.seconds ?? 0);
    const modelSeconds = (inc.models?.models ?? []).map((m) => `${m.model} ${m.seconds.toFixed(2)} s${m.upToDate ? ' (up to date)' : ''}`);
    const checksSec = (inc.models?.seconds ?? 0) - (inc.models?.models ?? []).reduce((n, m) => n + m.seconds, 0);
    log(`incremental models: ${modelSeconds.join(', ')}; checks and the rest ${checksSec.toFixed(2)} s`);

    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const round = (x: number) => Math.round(x * 10) / 10;
    process.stdout.write(
      `${JSON.stringify({ glDetailRows: glRows, latencyMs, fullRunSec: round(fullRunSec), extractOnlySec: round(extractOnlySec), incrementalSec: round(incrementalSec), incrementalPhases, modelsSec: modelsSec === null ? null : round(modelsSec), peakRssMb })}\n`,
    );
  } finally {
    await service?.shutdown();
    child.stdin!.write('exit\n');
    await new Promise((r) => child.once('close', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
