/**
 * Issue #5 acceptance 2: secrets never reach electron-store, the renderer, the logs or the audit
 * trail. The real shell (against the fake electron) drives the real core service against both
 * emulators; secrets are set through IPC exactly as the settings window does, a full sync runs,
 * and then everything the secrets could have leaked into is scanned for their values.
 */
import { after, before, describe, it } from 'node:test';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelOf } from '../../shared/ipc-contract';
import type { ApiEnvelope } from '../../shared/http-api';
import type { RunDetail, SecretName, Settings } from '../../shared/types';
import { systemClock } from '../../main/core/clock';
import { demoSettings } from '../../main/demo';
import { startIntacctEmulator, type IntacctEmulator } from '../../main/emulators/intacct';
import { startTableauEmulator, type TableauEmulator } from '../../main/emulators/tableau';
import { createNodeFetch } from '../../main/core/http/transport';
import { createConnectorService, defaultFactories, defaultSettings, type ConnectorService } from '../../main/core/service';
import { startShell, type Shell } from '../../main/electron/shell';
import type { KeyValueStoreFactory } from '../../main/electron/settings-store';
import { createFakeElectron, FakeBrowserWindow, type FakeImage, type FakeMenu } from './helpers/fake-electron';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const p = join(dir, name);
    if ((await stat(p)).isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** A loopback port that was free a moment ago and has nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('secrets never leak', () => {
  let intacct: IntacctEmulator;
  let tableau: TableauEmulator;
  let dataDir: string;
  let service: ConnectorService;
  let shell: Shell<FakeImage, FakeMenu>;
  const storeWrites: string[] = [];
  const ipcAnswers: string[] = [];
  let fake: ReturnType<typeof createFakeElectron>;
  let secrets: Record<SecretName, string>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-secrets-'));
    intacct = await startIntacctEmulator({ glRows: 300, seed: 3 });
    tableau = await startTableauEmulator({ workDir: join(dataDir, 'tableau') });
    secrets = {
      intacctSenderPassword: intacct.credentials.senderPassword,
      intacctUserPassword: intacct.credentials.userPassword,
      tableauPatSecret: tableau.patSecret,
      tableauConnectedAppSecret: 'connected-app-secret-value-XYZ',
      smtpPassword: 'smtp-password-value-QRS',
      // A port nothing listens on: the test alert fails, and its failure must not name the address.
      alertWebhookUrl: `http://127.0.0.1:${await closedPort()}/services/T000/B000/webhook-secret-LMN`,
    };
    fake = createFakeElectron({ userData: dataDir });
    const keychain = new Map<string, string>();
    const storeFactory: KeyValueStoreFactory = () => {
      const data = new Map<string, unknown>();
      return { get: (k) => data.get(k), set: (k, v) => void (data.set(k, v), storeWrites.push(JSON.stringify(v))) };
    };
    const started = await startShell({
      electron: fake.electron,
      keytar: {
        getPassword: async (s, a) => keychain.get(`${s}/${a}`) ?? null,
        setPassword: async (s, a, p) => void keychain.set(`${s}/${a}`, p),
        deletePassword: async (s, a) => keychain.delete(`${s}/${a}`),
      },
      storeFactory,
      defaults: () => defaultSettings(systemClock.now()),
      paths: { preload: '/p.cjs', rendererDir: '/app', icons: { idle: 'i', syncing: 's', error: 'e', 'not-configured': 'n' } },
      createService: async (deps) => {
        service = await createConnectorService({
          clock: systemClock,
          fetch: createNodeFetch(),
          secrets: deps.secrets,
          settings: deps.settings,
          dataDir: join(dataDir, 'service'),
          factories: defaultFactories({ projectRoot: process.cwd() }),
        });
        return service;
      },
    });
    assert.ok(started);
    shell = started;
  });

  after(async () => {
    await shell?.service.shutdown();
    await intacct?.close();
    await tableau?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a full sync set up through IPC leaves no secret anywhere but the keychain', async () => {
    await shell.act('open-settings');
    const win = FakeBrowserWindow.instances[0]!;
    const sender = { id: win.webContents.id, url: 'app://ml-connector/index.html#/settings' };
    const call = async (op: Parameters<typeof channelOf>[0], payload?: unknown) => {
      const answer = (await fake.ipcMain.invoke(channelOf(op), sender, payload)) as ApiEnvelope<unknown>;
      ipcAnswers.push(JSON.stringify(answer));
      return answer;
    };

    const settings: Settings = demoSettings(intacct, tableau);
    settings.alerts.email = {
      host: '127.0.0.1',
      port: await closedPort(),
      security: 'none',
      user: 'alerts@example.com',
      from: 'alerts@example.com',
      to: ['controller@example.com'],
    };
    settings.alerts.webhook = { kind: 'slack' };
    const saved = await call('saveSettings', settings);
    assert.equal(saved.ok, true, JSON.stringify(saved));
    for (const [name, value] of Object.entries(secrets)) assert.equal((await call('setCredential', { name, value })).ok, true);
    const status = (await call('getCredentialStatus')) as ApiEnvelope<Record<SecretName, boolean>>;
    assert.deepEqual(status.ok && status.result, {
      intacctSenderPassword: true,
      intacctUserPassword: true,
      tableauPatSecret: true,
      tableauConnectedAppSecret: true,
      smtpPassword: true,
      alertWebhookUrl: true,
    });

    assert.equal(((await call('testConnection', { side: 'intacct' })) as ApiEnvelope<{ ok: boolean }>).ok, true);
    await call('testConnection', { side: 'tableau' });
    const run = (await service.runNow({ trigger: 'manual' })) as RunDetail;
    assert.equal(run.outcome, 'succeeded', JSON.stringify(run.error));

    // Everything a front end can read back.
    for (const op of ['getStatus', 'getSettings', 'listRuns', 'queryLogs', 'getHistory'] as const) await call(op);
    await call('getRun', { runId: run.runId });
    await call('queryAudit', { stream: 'vendor', limit: 10_000 });
    await call('exportAudit', { stream: 'gl_detail' });
    // Both alert channels fail (nothing listens): the answers and log lines say so without a secret.
    const test = (await call('sendTestAlert')) as ApiEnvelope<{ results: { channel: string; ok: boolean }[] }>;
    assert.deepEqual(test.ok && test.result.results.map((r) => [r.channel, r.ok]), [
      ['email', false],
      ['webhook', false],
    ]);
    const bundle = (await call('exportSupportBundle')) as ApiEnvelope<{ base64: string }>;
    assert.ok(bundle.ok);

    const haystacks: [string, string][] = [
      ['electron-store writes', storeWrites.join('\n')],
      ['IPC answers to the renderer', ipcAnswers.join('\n')],
      ['events pushed to the renderer', JSON.stringify(win.webContents.sent)],
      ['support bundle (zip bytes)', bundle.ok ? Buffer.from(bundle.result.base64, 'base64').toString('latin1') : ''],
    ];
    // Every file the service wrote: the SQLite store (logs, audit trail, runs), payloads, hyperd logs.
    for (const file of await filesUnder(join(dataDir, 'service'))) haystacks.push([file, (await readFile(file)).toString('latin1')]);
    assert.ok(haystacks.length > 5, 'the service wrote its files');
    assert.ok(ipcAnswers.join('').includes('RECORDNO') || ipcAnswers.join('').includes('recordKey'), 'the audit trail was read back');

    for (const [secretName, value] of Object.entries(secrets)) {
      for (const [where, text] of haystacks) {
        assert.ok(!text.includes(value), `${secretName} leaked into ${where}`);
        // Also its UTF-16 form (SQLite may store text that way).
        assert.ok(!text.includes(Buffer.from(value, 'utf16le').toString('latin1')), `${secretName} leaked (UTF-16) into ${where}`);
      }
    }
  });
});
