/**
 * Served mode keeps the secrets typed into its page (issue #14 point 5), in a real browser over
 * `ml-connector serve` child processes: under a real gnome-keyring (a private D-Bus session and
 * HOME, so no real keyring is touched) a password typed into Settings survives a restart of the
 * service and still signs in; with no keychain each secret's box says it lasts until the service
 * stops and names its ML_ variable, and a secret the environment sets is shown as such, not typed.
 * Also About (issue #14): the served page shows the version, hyperd's version and the data folder.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer } from '../../scripts/build-renderer.mjs';
import { systemClock } from '../../main/core/clock';
import { defaultSettings } from '../../main/core/service/settings';
import { jsonFileSettingsStore } from '../../main/core/service/stores';
import { startIntacctEmulator, type IntacctEmulator } from '../../main/emulators/intacct';
import { startTableauEmulator, type TableauEmulator } from '../../main/emulators/tableau';
import { SECRET_ENV } from '../../main/cli/secret-env';
import { launchBrowser } from './helpers/browser';

const hasSecretService = ['dbus-run-session', 'gnome-keyring-daemon'].every((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);

/** The environment without any ML_ secret or session bus of the caller's. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of Object.values(SECRET_ENV)) delete env[v];
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  return { ...env, ...extra };
}

/** A private session bus with an unlocked gnome-keyring; resolves with its address. */
function startKeyring(home: string): Promise<{ bus: string; child: ChildProcess }> {
  const script = 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; echo "BUS=$DBUS_SESSION_BUS_ADDRESS"; exec sleep 600';
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: cleanEnv({ HOME: home, XDG_DATA_HOME: join(home, 'data') }),
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no session bus: ${out}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /BUS=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ bus: m[1]!, child });
      }
    });
  });
}

/** `serve` on the data folder; resolves with the address (and token) it wrote. */
function startServe(dataDir: string, staticDir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; address: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli.ts', '--data-dir', dataDir, 'serve', '--static', staticDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout} ${stderr}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (/serving on/.test(stdout) && stdout.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, address: readFileSync(join(dataDir, 'serve-address.txt'), 'utf8').trim(), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stdout} ${stderr}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

/** Every file under `dir` (to look for a secret written to disk). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('served mode keeps the secrets typed into its page (browser, serve)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ml-e2e-served-'));
  let staticDir: string;
  let intacct: IntacctEmulator;
  let tableau: TableauEmulator;
  let browser: Browser;
  const children: ChildProcess[] = [];
  let keyring: { bus: string; child: ChildProcess } | null = null;

  /** A data folder whose settings reach both emulators; the secrets are not in it. */
  const dataFolder = (name: string): string => {
    const dir = join(root, name);
    const store = jsonFileSettingsStore(join(dir, 'settings.json'), defaultSettings(systemClock.now()));
    const s = store.get();
    s.intacct = {
      ...s.intacct,
      endpoint: intacct.url,
      senderId: intacct.credentials.senderId,
      companyId: intacct.credentials.companyId,
      userId: intacct.credentials.userId,
    };
    s.tableau = { ...s.tableau, kind: 'server', serverUrl: tableau.url, site: tableau.site, patName: tableau.patName, project: 'Finance', createProject: true };
    s.schedule = { ...s.schedule, preset: { kind: 'manual' } };
    store.set(s);
    return dir;
  };

  const openSettings = async (address: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 900, height: 800 }, colorScheme: 'light' });
    await page.goto(address);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByTestId('save-settings').waitFor();
    return page;
  };

  before(async () => {
    staticDir = await buildRenderer({ outDir: join(process.cwd(), 'test', 'output', 'e2e-served-secrets') });
    intacct = await startIntacctEmulator({ glRows: 50, seed: 3, latencyMs: 0 });
    tableau = await startTableauEmulator({ workDir: join(root, 'tableau-emulator') });
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of children) await stopChild(c).catch(() => undefined);
    // The whole private session (dbus-daemon, gnome-keyring-daemon, sleep) by its process group.
    if (keyring?.child.pid) {
      try {
        process.kill(-keyring.child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await browser?.close().catch(() => undefined);
    await Promise.allSettled([intacct?.close(), tableau?.close()]);
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'stores a password typed into the page in the OS keychain: after a restart it is still set and signs in',
    { skip: hasSecretService ? false : 'dbus-run-session/gnome-keyring not installed (bash .ci/run installs them)', timeout: 180_000 },
    async () => {
      const home = join(root, 'home');
      mkdirSync(home); // gnome-keyring dies quietly without its HOME
      keyring = await startKeyring(home);
      const env = cleanEnv({ HOME: home, XDG_DATA_HOME: join(home, 'data'), DBUS_SESSION_BUS_ADDRESS: keyring.bus });
      const dataDir = dataFolder('keychain');

      const first = await startServe(dataDir, staticDir, env);
      children.push(first.child);
      assert.doesNotMatch(first.stderr(), /No keychain answers/, first.stderr());
      let page = await openSettings(first.address);
      assert.equal(await page.getByTestId('secret-note-intacctSenderPassword').count(), 0, 'a keychain needs no warning');
      await page.locator('[name="intacctSenderPassword"]').fill(intacct.credentials.senderPassword);
      await page.locator('[name="intacctUserPassword"]').fill(intacct.credentials.userPassword);
      await page.locator('[name="tableauPatSecret"]').fill(tableau.patSecret);
      await page.getByTestId('save-settings').click();
      await page.getByTestId('save-message').getByText('Settings saved.').waitFor();
      await page.close();
      await stopChild(first.child);

      const second = await startServe(dataDir, staticDir, env);
      children.push(second.child);
      page = await openSettings(second.address);
      for (const name of ['intacctSenderPassword', 'intacctUserPassword', 'tableauPatSecret']) {
        assert.equal(await page.getByTestId(`secret-${name}`).textContent(), '•••• set', `${name} survived the restart`);
      }
      await page.getByTestId('test-intacct').getByRole('button', { name: 'Test Intacct connection' }).click();
      await page.getByTestId('test-intacct').getByText('Intacct connection works.').waitFor({ timeout: 30_000 });
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Status' }).click();
      await page.getByTestId('state-pill').waitFor();
      assert.notEqual(await page.getByTestId('state-pill').textContent(), 'Not set up', 'both sides are configured after the restart');
      await page.close();
      await stopChild(second.child);

      // Kept in the keychain, not on disk: no file of the data folder holds a typed secret.
      for (const file of filesUnder(dataDir)) {
        const text = readFileSync(file).toString('latin1');
        for (const secret of [intacct.credentials.senderPassword, intacct.credentials.userPassword, tableau.patSecret])
          assert.ok(!text.includes(secret), `${file} holds a secret`);
      }
    },
  );

  it(
    'with no keychain, says next to each secret that it lasts until the service stops and names its variable; an environment secret is shown as such; About shows the versions and the data folder',
    { timeout: 120_000 },
    async () => {
      const dataDir = dataFolder('memory');
      const served = await startServe(dataDir, staticDir, cleanEnv({ HOME: join(root, 'home-none'), [SECRET_ENV.tableauPatSecret]: tableau.patSecret }));
      children.push(served.child);
      assert.match(served.stderr(), /No keychain answers .*kept until the service stops/);
      const page = await openSettings(served.address);
      for (const name of ['intacctSenderPassword', 'intacctUserPassword', 'smtpPassword'] as const) {
        const note = page.getByTestId(`secret-note-${name}`);
        await note.waitFor();
        assert.equal(await note.textContent(), `No keychain: kept until the service stops; set ${SECRET_ENV[name]} in the service's environment to keep it.`);
      }
      assert.match((await page.getByTestId('secret-note-tableauPatSecret').textContent()) ?? '', /^Set by ML_TABLEAU_PAT_SECRET in the service's environment/);
      assert.equal(await page.locator('[name="tableauPatSecret"]').isDisabled(), true, 'the environment wins: nothing to type');
      // About, at the foot of Settings (and Status): the version, hyperd's and the data folder.
      const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
      assert.equal(await page.getByTestId('about-version').textContent(), `ml-connector ${version}`);
      assert.match((await page.getByTestId('about-hyperd').textContent()) ?? '', /^main\.[\w.]+$/);
      assert.equal(await page.getByTestId('about-data-dir').textContent(), dataDir);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Status' }).click();
      await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
      assert.equal(await page.getByTestId('about-data-dir').textContent(), dataDir, 'About is on Status too');
      await page.close();
      await stopChild(served.child);
    },
  );
});
