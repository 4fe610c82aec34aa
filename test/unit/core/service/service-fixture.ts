/**
 * A service over fakes (FakeSource, FakeTableau), a hand-fired timer and a manual clock, for the
 * service's unit tests. Every service and data folder made here is removed after the test file.
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { createConnectorService, type ConnectorService } from '../../../../main/core/service/connector-service';
import { defaultSettings } from '../../../../main/core/service/settings';
import { memorySecretStore, memorySettingsStore } from '../../../../main/core/service/stores';
import type { ServiceFactories } from '../../../../main/core/service/runtime';
import type { TimerLike } from '../../../../main/core/schedule';
import type { ServiceEvent, Settings } from '../../../../shared/types';
import { FakeSource, FakeTableau, seedCompany } from '../sync/fakes';

const dirs: string[] = [];
/** Removes `dir` after the test file, with the fixture's own folders. */
export const removeLater = (dir: string) => void dirs.push(dir);
const services: ConnectorService[] = [];
after(async () => {
  for (const s of services) await s.shutdown();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A timer the test fires by hand. */
export class HandTimer implements TimerLike {
  readonly pending: { when: number; fn: () => void }[] = [];
  at(when: number, fn: () => void) {
    const e = { when, fn };
    this.pending.push(e);
    return () => void this.pending.splice(this.pending.indexOf(e) >>> 0, 1);
  }
  readonly repeating: (() => void)[] = [];
  every(_ms: number, fn: () => void) {
    this.repeating.push(fn);
    return () => void this.repeating.splice(this.repeating.indexOf(fn) >>> 0, 1);
  }
  fireAll() {
    for (const e of this.pending.splice(0)) e.fn();
  }
}

export function configuredSettings(): Settings {
  const s = defaultSettings();
  s.intacct = { ...s.intacct, senderId: 'sender', companyId: 'acme', userId: 'api' };
  s.tableau = { ...s.tableau, serverUrl: 'https://tableau.example.com', site: 'acme', patName: 'connector', project: 'Finance' };
  s.streams.enabled = Object.fromEntries(
    Object.keys(s.streams.enabled).map((k) => [k, ['vendor', 'ap_bill_line', 'gl_detail'].includes(k)]),
  ) as Settings['streams']['enabled'];
  s.schedule.preset = { kind: 'hourly', everyHours: 1, businessDaysOnly: false };
  return s;
}

export async function setup(
  opts: { configured?: boolean; supportLogFiles?: string[]; demo?: boolean; host?: { appVersion: string; os: string; runtime: string } } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const source = new FakeSource(() => clock.now());
  seedCompany(source, 30);
  source.pageSize = 10;
  clock.advance(60_000);
  const tableau = new FakeTableau();
  const dataDir = mkdtempSync(join(tmpdir(), 'mlc-service-'));
  dirs.push(dataDir);
  const secrets = memorySecretStore(
    opts.configured === false ? {} : { intacctSenderPassword: 'sender-secret-1', intacctUserPassword: 'user-secret-2', tableauPatSecret: 'pat-secret-3' },
  );
  const settings = memorySettingsStore(opts.configured === false ? defaultSettings() : configuredSettings());
  const factories: ServiceFactories = {
    createSource: () => source,
    createTarget: () => ({ client: tableau, load: tableau.load }),
    startPayloadWriter: async () => ({ write: tableau.writePayload, stop: async () => {} }),
    evaluateAlerts: ({ runs, now }) =>
      runs[0]?.outcome === 'failed' ? [{ kind: 'run-failed', message: `Run failed: ${runs[0].error?.message}`, runId: runs[0].runId, at: now }] : [],
    hyperdVersion: async () => 'main.0.0.12345.rtest',
  };
  const timer = new HandTimer();
  const service = await createConnectorService({
    clock,
    fetch: async () => new Response(''),
    secrets,
    settings,
    dataDir,
    factories,
    timer,
    engineOptions: { batchRows: 10 },
    ...(opts.supportLogFiles ? { supportLogFiles: opts.supportLogFiles } : {}),
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.demo ? { demo: true } : {}),
  });
  services.push(service);
  const events: ServiceEvent[] = [];
  service.onEvent((e) => events.push(e));
  return { clock, source, tableau, service, events, secrets, settings, factories, timer, dataDir };
}
