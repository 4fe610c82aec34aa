import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BridgeApi } from '../../../shared/ipc-contract';
import type { ServiceEvent } from '../../../shared/types';
import { fromBridge } from '../../../renderer/api/bridge-client';
import { ApiCallError } from '../../../renderer/api/api-error';

/**
 * What contextBridge does to a function's outcome on its way to the page: a value is copied, an
 * error is rebuilt from its message alone (https://github.com/electron/electron/pull/28346).
 */
function acrossContextBridge<T extends object>(api: T): T {
  return Object.fromEntries(
    Object.entries(api).map(([k, fn]) => [
      k,
      async (...args: unknown[]) => {
        try {
          return structuredClone(await (fn as (...a: unknown[]) => Promise<unknown>)(...args));
        } catch (err) {
          throw new Error((err as Error).message);
        }
      },
    ]),
  ) as T;
}

const failedSave = {
  ok: false as const,
  error: {
    message: 'Bad settings.',
    service: 'local' as const,
    code: 'INVALID_SETTINGS',
    kind: 'config' as const,
    retryable: false,
    fields: { 'intacct.companyId': 'Required' },
  },
};

describe('fromBridge (the Electron transport)', () => {
  it('throws the same ApiCallError as the HTTP client, with code, kind and fields, after the bridge', async () => {
    const bridge = acrossContextBridge({ saveSettings: async () => failedSave, listRuns: async () => ({ ok: true, result: [] }) }) as unknown as BridgeApi;
    const api = fromBridge({ ...bridge, onEvent: () => () => undefined });
    assert.deepEqual(await api.listRuns(), []);
    await assert.rejects(api.saveSettings({} as never), (err: unknown) => {
      assert.ok(err instanceof ApiCallError);
      assert.equal(err.info.code, 'INVALID_SETTINGS');
      assert.equal(err.info.kind, 'config');
      assert.deepEqual(err.fields, { 'intacct.companyId': 'Required' });
      assert.equal(err.message, 'Bad settings.');
      return true;
    });
  });

  it('passes events through and returns the unsubscribe function', () => {
    const seen: ServiceEvent[] = [];
    let listener: ((e: ServiceEvent) => void) | null = null;
    const api = fromBridge({ onEvent: (l: (e: ServiceEvent) => void) => ((listener = l), () => (listener = null)) } as unknown as BridgeApi);
    const off = api.onEvent((e) => seen.push(e));
    listener!({ type: 'log', entry: { at: 1, level: 'info', message: 'hi' } } as ServiceEvent);
    off();
    assert.equal(seen.length, 1);
    assert.equal(listener, null);
  });
});
