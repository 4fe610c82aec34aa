import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { secretNames } from '../../shared/types';

// A real Secret Service: gnome-keyring inside a private D-Bus session (installed by .ci/run).
const hasSecretService = ['dbus-run-session', 'gnome-keyring-daemon'].every((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);

describe(
  'keytar secret store with a real Secret Service',
  { skip: hasSecretService ? false : 'dbus-run-session/gnome-keyring not installed (bash .ci/run installs them)' },
  () => {
    it('stores, reads and deletes each credential', () => {
      const script = `echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "${process.execPath}" --import tsx test/electron/helpers/keychain-roundtrip.ts`;
      const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `keychain round trip failed: ${r.stderr}`);
      const last = r.stdout.trim().split('\n').pop()!;
      const seen = JSON.parse(last) as Record<string, { stored: string | null; afterDelete: string | null; listed: boolean }>;
      assert.deepEqual(Object.keys(seen).sort(), [...secretNames].sort());
      for (const name of secretNames) {
        assert.equal(seen[name]!.stored, 'match', `${name} read back`);
        assert.equal(seen[name]!.listed, true, `${name} is its own account under the service`);
        assert.equal(seen[name]!.afterDelete, null, `${name} deleted`);
      }
    });
  },
);
