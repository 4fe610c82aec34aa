import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channelOf } from '../../shared/ipc-contract';
import type { ApiEnvelope } from '../../shared/http-api';
import { registerIpcHandlers, type ServiceOperations } from '../../main/electron/ipc';
import { TrustedSenders } from '../../main/electron/trusted-senders';
import type { IpcMainInvokeEventLike, IpcMainLike } from '../../main/electron/electron-surface';
import { RateLimitError, ValidationError } from '../../main/core/errors';

/** ipcMain as the handlers see it: `invoke` calls the registered handler like the renderer would. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
  const invoke = (op: Parameters<typeof channelOf>[0], payload: unknown) =>
    handlers.get(channelOf(op))!({ sender: { id: 1 }, senderFrame: { url: 'app://ml-connector/index.html' } }, payload) as Promise<ApiEnvelope<unknown>>;
  return { ipcMain, invoke };
}

const failing = {
  getHistory: async () => {
    throw new Error("EACCES: open '/home/anna/.config/x?token=s3cr3t-token'");
  },
  estimateFullLoad: async () => {
    throw new RateLimitError({ service: 'intacct', code: 'THROTTLED', userMessage: 'Intacct is busy; try again in a minute.' });
  },
  saveSettings: async () => {
    throw new ValidationError({ userMessage: 'Bad settings.', fields: { 'intacct.companyId': 'Required' } });
  },
} as unknown as ServiceOperations;

describe('IPC error envelopes (toEnvelope, like HTTP)', () => {
  const setup = () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const trusted = new TrustedSenders();
    trusted.add(1);
    const unexpected: { op: string; reference: string; err: unknown }[] = [];
    registerIpcHandlers(ipcMain, failing, trusted, {
      isAppUrl: (u) => u.startsWith('app://ml-connector/'),
      onUnexpected: (op, reference, err) => unexpected.push({ op, reference, err }),
    });
    return { invoke, unexpected };
  };

  it('gives a typed error its message, code, kind and retryable flag, and a ValidationError its fields', async () => {
    const { invoke } = setup();
    assert.deepEqual(await invoke('estimateFullLoad', null), {
      ok: false,
      error: { message: 'Intacct is busy; try again in a minute.', service: 'intacct', code: 'THROTTLED', kind: 'transient', retryable: true },
    });
    assert.deepEqual(await invoke('saveSettings', {}), {
      ok: false,
      error: { message: 'Bad settings.', service: 'local', kind: 'config', retryable: false, fields: { 'intacct.companyId': 'Required' } },
    });
  });

  it('answers an unexpected error with a generic message and a reference, and reports the error with that reference', async () => {
    const { invoke, unexpected } = setup();
    const env = (await invoke('getHistory', null)) as { ok: false; error: { code: string; message: string; reference: string } };
    assert.equal(env.ok, false);
    assert.equal(env.error.code, 'INTERNAL');
    assert.match(env.error.reference, /^[0-9a-f]{8}$/);
    assert.ok(env.error.message.includes(env.error.reference));
    assert.doesNotMatch(JSON.stringify(env), /s3cr3t|EACCES|anna/);
    assert.deepEqual(
      unexpected.map((u) => [u.op, u.reference]),
      [['getHistory', env.error.reference]],
    );
  });

  it('says what is wrong with a refused payload the same way HTTP does', async () => {
    const { invoke } = setup();
    const env = (await invoke('getRun', { runId: 42 })) as { ok: false; error: { code: string; message: string } };
    assert.equal(env.error.code, 'INVALID_REQUEST');
    assert.match(env.error.message, /^Invalid request: .*runId/);
  });
});
