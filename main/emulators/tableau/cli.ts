/**
 * `npm run emulator:tableau -- --port <n> [--fault-rate x] [--seed n] [--token-ttl-min n]
 *   [--rest-api-version v] [--product-version v] [--no-vds] [--hyperd path] [--work-dir dir]`
 *
 * Starts the Tableau emulator and prints, as the FIRST line of stdout, one JSON object
 * `{url, site, patName, patSecret, connectedApp: {clientId, secretId, secretValue, username}}`
 * (the PAT and the connected app it accepts). Stops cleanly (hyperd too) on SIGTERM/SIGINT.
 */
import { startTableauEmulator } from './index';
import type { TableauFaultKind } from './faults';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const port = Number(arg('port') ?? 0);
  const faultRate = Number(arg('fault-rate') ?? 0);
  const ttl = arg('token-ttl-min');
  const emulator = await startTableauEmulator({
    port,
    hyperdPath: arg('hyperd') ?? process.env.HYPERD_PATH,
    workDir: arg('work-dir'),
    restApiVersion: arg('rest-api-version'),
    productVersion: arg('product-version'),
    ...(process.argv.includes('--no-vds') ? { vds: false } : {}),
    tokenTtlMs: ttl === undefined ? undefined : Number(ttl) * 60_000,
    faults:
      faultRate > 0
        ? { rate: faultRate, kinds: ['expire401', 'http429', 'http5xx', 'jobFail', 'jobCancel'] as TableauFaultKind[], seed: Number(arg('seed') ?? 1) }
        : undefined,
  });
  const { clientId, secretId, secretValue, username } = emulator.connectedApp;
  process.stdout.write(
    `${JSON.stringify({ url: emulator.url, site: emulator.site, patName: emulator.patName, patSecret: emulator.patSecret, connectedApp: { clientId, secretId, secretValue, username } })}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`tableau emulator failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
