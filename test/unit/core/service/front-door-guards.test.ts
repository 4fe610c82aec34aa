/**
 * What a front end may not do through saveSettings (issue #12, Medium 2 and 3), checked through all
 * three front doors (the service itself, the served HTTP API, the Electron IPC handlers):
 * - set or change the alert command (a program the headless service runs);
 * - move stored secrets to a new Intacct endpoint or Tableau server without saying so.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { createConnectorService, ALERT_COMMAND_REFUSED, type ConnectorService } from '../../../../main/core/service/connector-service';
import { defaultSettings } from '../../../../main/core/service/settings';
import { memorySecretStore, memorySettingsStore, type SecretStore, type SettingsStore } from '../../../../main/core/service/stores';
import type { IntacctCredentials, ServiceFactories, SourceClient, TableauAuth, TargetClient } from '../../../../main/core/service/runtime';
import { startServer, type RunningServer } from '../../../../main/core/server';
import { registerIpcHandlers } from '../../../../main/electron/ipc';
import { TrustedSenders } from '../../../../main/electron/trusted-senders';
import type { IpcMainInvokeEventLike } from '../../../../main/electron/electron-surface';
import { channelOf, type Operation } from '../../../../shared/ipc-contract';
import type { ApiEnvelope } from '../../../../shared/http-api';
import type { SaveSettingsResult, Settings } from '../../../../shared/types';

const SECRETS = { intacctSenderPassword: 'sender-pw-51ab', intacctUserPassword: 'user-pw-93cd', tableauPatSecret: 'pat-secret-7e21' };

/** Where each client the service built would have sent which secrets. */
interface Sent {
  intacct: { endpoint: string; credentials: IntacctCredentials }[];
  tableau: { serverUrl: string; auth: TableauAuth }[];
}

function configured(): Settings {
  const s = defaultSettings();
  s.intacct = { ...s.intacct, senderId: 'sender', companyId: 'acme', userId: 'api', endpoint: 'https://api.intacct.com/ia/xml/xmlgw.phtml' };
  s.tableau = { ...s.tableau, serverUrl: 'https://10ax.online.tableau.com', site: 'acme', patName: 'connector', project: 'Finance' };
  s.alerts.command = '/usr/local/bin/notify-finance --channel ops';
  return s;
}

type Call = (op: Operation, req?: unknown) => Promise<unknown>;

interface Door {
  name: string;
  open(service: ConnectorService): Promise<{ call: Call; close(): Promise<void> }>;
}

const doors: Door[] = [
  {
    name: 'service',
    open: async (service) => ({ call: (op, req) => (service[op] as (r: unknown) => Promise<unknown>).call(service, req), close: async () => {} }),
  },
  {
    name: 'HTTP',
    open: async (service) => {
      const server: RunningServer = await startServer(service);
      const call: Call = async (op, req) => {
        const res = await fetch(`${server.url}/api/${op}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(req ?? null),
        });
        const env = (await res.json()) as ApiEnvelope<unknown>;
        if (!env.ok)
          throw Object.assign(new Error(env.error.message), { status: res.status, fields: (env.error as { fields?: Record<string, string> }).fields });
        return env.result;
      };
      return { call, close: () => server.close() };
    },
  },
  {
    name: 'IPC',
    open: async (service) => {
      const handlers = new Map<string, (e: IpcMainInvokeEventLike, p?: unknown) => Promise<unknown>>();
      const trusted = new TrustedSenders();
      trusted.add(1);
      const unregister = registerIpcHandlers(
        { handle: (ch, fn) => void handlers.set(ch, fn), removeHandler: (ch) => void handlers.delete(ch) },
        service,
        trusted,
        { isAppUrl: (u) => u === 'app://renderer/index.html' },
      );
      const call: Call = async (op, req) => {
        const env = (await handlers.get(channelOf(op))!({ sender: { id: 1 }, senderFrame: { url: 'app://renderer/index.html' } }, req)) as ApiEnvelope<unknown>;
        if (!env.ok) throw new Error(env.error.message);
        return env.result;
      };
      return { call, close: async () => unregister() };
    },
  },
];

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function setup(): Promise<{ service: ConnectorService; sent: Sent; secrets: SecretStore; settings: SettingsStore }> {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const sent: Sent = { intacct: [], tableau: [] };
  const factories: ServiceFactories = {
    createSource: ({ settings, credentials }) => {
      sent.intacct.push({ endpoint: settings.intacct.endpoint, credentials });
      return { transactions: 0, testConnection: async () => ({ ok: true, steps: [] }), close: () => undefined } as unknown as SourceClient;
    },
    createTarget: ({ settings, auth }) => {
      sent.tableau.push({ serverUrl: settings.tableau.serverUrl, auth });
      const client = {
        serverInfo: async () => ({ productVersion: '2025.1', restApiVersion: '3.25' }),
        signIn: async () => undefined,
        signOut: async () => undefined,
        findProject: async () => ({ id: 'p', name: 'Finance' }),
      } as unknown as TargetClient;
      return { client, load: async () => ({ datasourceId: 'd', jobId: 'j' }) };
    },
    startPayloadWriter: async () => ({ write: async () => ({ rows: {} }) as never, stop: async () => {} }),
    evaluateAlerts: () => [],
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'mlc-guards-'));
  dirs.push(dataDir);
  const secrets = memorySecretStore(SECRETS);
  const settings = memorySettingsStore(configured());
  const service = await createConnectorService({ clock, fetch: async () => new Response(''), secrets, settings, dataDir, factories });
  return { service, sent, secrets, settings };
}

for (const door of doors) {
  describe(`saveSettings through ${door.name}`, () => {
    it('refuses to set or change the alert command, and keeps the one from the settings file', async () => {
      const { service, settings } = await setup();
      const { call, close } = await door.open(service);
      try {
        const s = configured();
        s.alerts.command = 'id > /tmp/pwned.txt';
        const refused = (await call('saveSettings', s)) as SaveSettingsResult;
        assert.equal(refused.ok, false);
        assert.equal(!refused.ok && refused.errors['alerts.command'] !== undefined, true, JSON.stringify(refused));
        s.alerts.command = '/usr/local/bin/other-script';
        const changed = (await call('saveSettings', s)) as SaveSettingsResult;
        assert.deepEqual(changed, { ok: false, errors: { 'alerts.command': ALERT_COMMAND_REFUSED } });
        assert.equal(settings.get().alerts.command, '/usr/local/bin/notify-finance --channel ops');
        // Saving other settings with the command as it is on disk still works.
        const same = configured();
        same.alerts.freshnessHours = 12;
        const ok = (await call('saveSettings', same)) as SaveSettingsResult;
        assert.equal(ok.ok, true);
        assert.equal(settings.get().alerts.freshnessHours, 12);
      } finally {
        await close();
        await service.shutdown();
      }
    });

    it('never sends stored Intacct passwords or the Tableau secret to a new address unless confirmed', async () => {
      const { service, sent, secrets } = await setup();
      const { call, close } = await door.open(service);
      try {
        const moved = configured();
        moved.intacct.endpoint = 'https://attacker.example.net/ia/xml/xmlgw.phtml';
        moved.tableau.serverUrl = 'https://tableau.attacker.example.net';
        const r = (await call('saveSettings', moved)) as SaveSettingsResult;
        assert.equal(r.ok, true);
        assert.deepEqual(r.ok && [...(r.clearedSecrets ?? [])].sort(), ['intacctSenderPassword', 'intacctUserPassword', 'tableauPatSecret']);
        const ti = (await call('testConnection', { side: 'intacct' })) as { ok: boolean; steps: { name: string; message: string }[] };
        const tt = (await call('testConnection', { side: 'tableau' })) as { ok: boolean; steps: { name: string; message: string }[] };
        assert.equal(ti.ok, false);
        assert.match(ti.steps[0]!.message, /sender password/);
        assert.equal(tt.ok, false);
        const leaked = [
          ...sent.intacct.filter(
            (x) =>
              x.endpoint.includes('attacker') &&
              (x.credentials.senderPassword === SECRETS.intacctSenderPassword || x.credentials.userPassword === SECRETS.intacctUserPassword),
          ),
          ...sent.tableau.filter((x) => x.serverUrl.includes('attacker') && x.auth.kind === 'pat' && x.auth.secret === SECRETS.tableauPatSecret),
        ];
        assert.deepEqual(leaked, [], 'stored secrets went to the new address');
        assert.equal(await secrets.get('intacctUserPassword'), null);

        // Secrets entered again after the change are used for the new address.
        await call('setCredential', { name: 'intacctSenderPassword', value: 'new-sender-pw' });
        await call('setCredential', { name: 'intacctUserPassword', value: 'new-user-pw' });
        const again = (await call('testConnection', { side: 'intacct' })) as { ok: boolean };
        assert.equal(again.ok, true);
        assert.equal(sent.intacct.at(-1)?.credentials.userPassword, 'new-user-pw');
      } finally {
        await close();
        await service.shutdown();
      }
    });

    it('keeps the stored secrets for the new address when the change is confirmed; a path change on the same host needs nothing', async () => {
      const { service, secrets } = await setup();
      const { call, close } = await door.open(service);
      try {
        const samehost = configured();
        samehost.intacct.endpoint = 'https://api.intacct.com/ia/xml/xmlgw2.phtml';
        const r1 = (await call('saveSettings', samehost)) as SaveSettingsResult;
        assert.equal(r1.ok && r1.clearedSecrets, undefined);
        const moved = configured();
        moved.tableau.serverUrl = 'https://tableau.example.com';
        const r2 = (await call('saveSettings', { ...moved, confirmEndpointChange: true })) as SaveSettingsResult;
        assert.equal(r2.ok, true);
        assert.equal(r2.ok && r2.clearedSecrets, undefined);
        assert.equal(await secrets.get('tableauPatSecret'), SECRETS.tableauPatSecret);
        assert.equal(await secrets.get('intacctUserPassword'), SECRETS.intacctUserPassword);
      } finally {
        await close();
        await service.shutdown();
      }
    });
  });
}
