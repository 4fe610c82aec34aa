/**
 * `npm run emulator:intacct -- --port <n> --gl-rows <n> [--latency-ms n] [--fault-rate x] [--seed n] [--session-ttl-ms n] [--gmt-offset +hh:mm] [--repeat-answers]`
 *
 * Starts the Intacct emulator standalone. The FIRST stdout line is one JSON object with the URL and
 * the credentials it accepts; later lines are for people. Stops cleanly on SIGTERM/SIGINT.
 */
import { startIntacctEmulator } from './intacct-emulator';

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out.set(a.slice(2), argv[++i]!);
    else out.set(a.slice(2), 'true');
  }
  return out;
}

function num(args: Map<string, string>, name: string, def: number): number {
  const v = args.get(name);
  if (v === undefined) return def;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const faultRate = num(args, 'fault-rate', 0);
  const emu = await startIntacctEmulator({
    port: num(args, 'port', 0),
    glRows: num(args, 'gl-rows', 5000),
    seed: num(args, 'seed', 42),
    latencyMs: num(args, 'latency-ms', 0),
    sessionTtlMs: args.has('session-ttl-ms') ? num(args, 'session-ttl-ms', 0) : undefined,
    userGmtOffset: args.get('gmt-offset'),
    faults: faultRate > 0 ? { rate: faultRate, seed: num(args, 'fault-seed', 1) } : undefined,
    repeatAnswers: args.has('repeat-answers'),
  });
  const c = emu.credentials;
  process.stdout.write(
    JSON.stringify({
      url: emu.url,
      senderId: c.senderId,
      senderPassword: c.senderPassword,
      companyId: c.companyId,
      userId: c.userId,
      userPassword: c.userPassword,
    }) + '\n',
  );
  process.stdout.write(`Intacct emulator listening at ${emu.url} with ${emu.company.gl.accrualRows} ACCRUAL GL detail rows (Ctrl-C to stop)\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Control messages from a parent process (the bench): {"latencyMs": n}; {"repeatAnswers": bool},
  // which turns keeping and reusing GL answers off or on (--repeat-answers); and {"cpu": true},
  // answered with this process's CPU time so far (µs, process.cpuUsage) to see which side sets the
  // pace, and the GL detail answers reused and made so far.
  process.on('message', (m: unknown) => {
    if (m && typeof m === 'object' && 'cpu' in m) {
      const u = process.cpuUsage();
      process.send?.({ cpuMicros: u.user + u.system, repeated: emu.repeated });
    } else if (m && typeof m === 'object' && 'repeatAnswers' in m) {
      emu.setRepeatAnswers((m as { repeatAnswers: unknown }).repeatAnswers === true);
      process.send?.({ ok: true, repeatAnswers: (m as { repeatAnswers: unknown }).repeatAnswers === true });
    } else if (m && typeof m === 'object' && 'latencyMs' in m) {
      emu.setLatency(Number((m as { latencyMs: unknown }).latencyMs) || 0);
      process.send?.({ ok: true, latencyMs: (m as { latencyMs: unknown }).latencyMs });
    }
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Intacct emulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
