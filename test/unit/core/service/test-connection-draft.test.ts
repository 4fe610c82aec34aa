/**
 * Test connection tests the draft without saving it (issue #14 point 4), never sends a stored
 * secret to a draft address it was not entered for, and checks every dependent data source
 * (point 1).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { createConnectorService, type ConnectorService } from '../../../../main/core/service/connector-service';
import { defaultSettings } from '../../../../main/core/service/settings';
import { memorySecretStore, memorySettingsStore } from '../../../../main/core/service/stores';
import type { IntacctCredentials, ServiceFactories } from '../../../../main/core/service/runtime';
import type { Settings } from '../../../../shared/types';
import { FakeSource, FakeTableau } from '../sync/fakes';

const dirs: string[] = [];
const services: ConnectorService[] = [];
after(async () => {
  for (const s of services) await s.shutdown();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function saved(): Settings {
  const s = defaultSettings();
  s.intacct = { ...s.intacct, senderId: 'sender', companyId: 'acme', userId: 'api', endpoint: 'https://api.intacct.com/ia/xml/xmlgw.phtml' };
  s.tableau = {
    ...s.tableau,
    serverUrl: 'https://tableau.example.com',
    site: 'acme',
    patName: 'connector',
    project: 'Finance',
    dependentDatasources: ['Dependent Sales'],
  };
  return s;
}

async function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const source = new FakeSource(() => clock.now());
  const tableau = new FakeTableau();
  const tried: IntacctCredentials[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'mlc-testdraft-'));
  dirs.push(dataDir);
  const secrets = memorySecretStore({ intacctSenderPassword: 'sender-secret', intacctUserPassword: 'stored-user-secret', tableauPatSecret: 'pat-secret' });
  const settings = memorySettingsStore(saved());
  const factories: ServiceFactories = {
    createSource: ({ credentials }) => {
      tried.push(credentials);
      return source;
    },
    createTarget: () => ({ client: tableau, load: tableau.load }),
    startPayloadWriter: async () => ({ write: tableau.writePayload, stop: async () => {} }),
    evaluateAlerts: () => [],
  };
  const service = await createConnectorService({ clock, fetch: async () => new Response(''), secrets, settings, dataDir, factories });
  services.push(service);
  return { service, secrets, settings, tried };
}

describe('testConnection with a draft', () => {
  it('tests the typed password and draft values, and saves neither', async () => {
    const env = await setup();
    const draft = saved();
    draft.intacct.companyId = 'acme-sandbox';
    await env.service.testConnection({ side: 'intacct', draft, secrets: { intacctUserPassword: 'typed-password' } });
    assert.equal(env.tried.at(-1)?.userPassword, 'typed-password');
    assert.equal(env.tried.at(-1)?.companyId, 'acme-sandbox');
    assert.equal(env.tried.at(-1)?.senderPassword, 'sender-secret', 'a secret not typed comes from the keychain');
    assert.equal(await env.secrets.get('intacctUserPassword'), 'stored-user-secret', 'the stored password is unchanged');
    assert.equal(env.settings.get().intacct.companyId, 'acme', 'the saved settings are unchanged');
  });

  it('does not send stored secrets to a draft address they were not entered for, unless confirmed', async () => {
    const env = await setup();
    const draft = saved();
    draft.intacct.endpoint = 'https://elsewhere.example.com/ia/xml/xmlgw.phtml';
    const r = await env.service.testConnection({ side: 'intacct', draft });
    assert.equal(r.ok, false);
    assert.equal(env.tried.length, 0, 'no client was built with the stored secrets');
    assert.match(r.steps[0]?.message ?? '', /password/i);
    await env.service.testConnection({ side: 'intacct', draft, confirmEndpointChange: true });
    assert.equal(env.tried.at(-1)?.userPassword, 'stored-user-secret');
  });

  it('answers an invalid draft with the fields to fix, without trying to sign in', async () => {
    const env = await setup();
    const draft = saved();
    draft.intacct.endpoint = 'ftp://not-a-gateway';
    const r = await env.service.testConnection({ side: 'intacct', draft });
    assert.equal(r.ok, false);
    assert.match(r.steps[0]?.message ?? '', /intacct\.endpoint/);
    assert.equal(env.tried.length, 0);
  });

  it('checks every dependent data source on the Tableau side and names the missing ones', async () => {
    const env = await setup();
    const ok = await env.service.testConnection({ side: 'tableau' });
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.ok(ok.steps.some((s) => s.name === 'Dependent data sources' && s.ok));
    const draft = saved();
    draft.tableau.dependentDatasources = ['Dependent Sales', 'Board pack'];
    const bad = await env.service.testConnection({ side: 'tableau', draft });
    assert.equal(bad.ok, false);
    const step = bad.steps.find((s) => s.name === 'Dependent data sources');
    assert.equal(step?.ok, false, JSON.stringify(bad));
    assert.match(step?.message ?? '', /"Board pack" was not found/);
    assert.doesNotMatch(step?.message ?? '', /Dependent Sales/);
  });
});
