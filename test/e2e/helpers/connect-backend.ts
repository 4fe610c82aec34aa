/**
 * Sets both sides up through the service, as a user who filled in Settings would have (the Settings
 * form has its own tests): the emulators' addresses and sign-ins, the passwords in the secret store.
 */
import assert from 'node:assert/strict';
import type { Settings } from '../../../shared/types';
import type { Backend } from './backend';

export async function connectBackend(backend: Backend, edit: (s: Settings) => void = () => {}): Promise<void> {
  const { service } = backend;
  const s: Settings = await service.getSettings();
  s.intacct = {
    ...s.intacct,
    endpoint: backend.intacct.endpoint,
    senderId: backend.intacct.senderId,
    companyId: backend.intacct.companyId,
    userId: backend.intacct.userId,
  };
  s.tableau = {
    ...s.tableau,
    kind: 'server',
    serverUrl: backend.tableau.serverUrl,
    site: backend.tableau.site,
    patName: backend.tableau.patName,
    project: 'Finance',
    createProject: true,
  };
  edit(s);
  const saved = await service.saveSettings(s);
  assert.ok(saved.ok, JSON.stringify(saved));
  await service.setCredential({ name: 'intacctSenderPassword', value: backend.intacct.senderPassword });
  await service.setCredential({ name: 'intacctUserPassword', value: backend.intacct.userPassword });
  await service.setCredential({ name: 'tableauPatSecret', value: backend.tableau.patSecret });
}
