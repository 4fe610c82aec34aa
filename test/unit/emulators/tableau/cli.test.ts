import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findHyperd, startHyperEngine, writeHyperFile } from '../../../../main/core/hyper';
import type { ConnectedAppConfig } from '../../../../main/emulators/tableau';
import { buildConnectedAppJwt } from '../../../../main/core/tableau';
import { multipartBody } from './helpers';

/** A small real .hyper, written by the project's Hyper engine. */
async function smallHyper(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'tableau-cli-test-'));
  const engine = await startHyperEngine({ hyperdPath: findHyperd({ projectRoot: process.cwd() }), logDir: join(dir, 'logs') });
  try {
    const path = join(dir, 'small.hyper');
    const columns = [
      { name: 'RECORDNO', source: 'RECORDNO', type: 'bigint' as const, nullable: false },
      { name: 'NAME', source: 'NAME', type: 'text' as const, nullable: true },
    ];
    await writeHyperFile(engine, path, [
      {
        table: { schema: 'Extract', name: 'Extract', columns },
        rows: [
          [
            { RECORDNO: 1, NAME: 'one' },
            { RECORDNO: 2, NAME: null },
          ],
        ],
      },
    ]);
    return await readFile(path);
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('emulator:tableau CLI', () => {
  it('prints {url, site, patName, patSecret, connectedApp} first, serves the API (PAT and JWT), and stops hyperd on SIGTERM', async () => {
    const hyperFile = await smallHyper();
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/emulators/tableau/cli.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (c) => reject(new Error(`CLI exited early (${c})`)));
      });
      const info = JSON.parse(first) as { url: string; site: string; patName: string; patSecret: string; connectedApp: ConnectedAppConfig };
      assert.deepEqual(Object.keys(info).sort(), ['connectedApp', 'patName', 'patSecret', 'site', 'url']);
      assert.deepEqual(Object.keys(info.connectedApp).sort(), ['clientId', 'secretId', 'secretValue', 'username']);
      // The connected app it prints is the one it accepts.
      const jwt = buildConnectedAppJwt(info.connectedApp, Date.now(), { scopes: ['tableau:content:read'] });
      const jwtSignIn = await fetch(`${info.url}/api/3.25/auth/signin`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml' },
        body: `<tsRequest><credentials jwt="${jwt}"><site contentUrl="${info.site}"/></credentials></tsRequest>`,
      });
      assert.equal(jwtSignIn.status, 200, await jwtSignIn.text());
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const signIn = await fetch(`${info.url}/api/3.25/auth/signin`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          credentials: { personalAccessTokenName: info.patName, personalAccessTokenSecret: info.patSecret, site: { contentUrl: info.site } },
        }),
      });
      assert.equal(signIn.status, 200);
      const creds = ((await signIn.json()) as { credentials: { token: string; site: { id: string } } }).credentials;
      const auth = { 'X-Tableau-Auth': creds.token };
      const projects = (await (
        await fetch(`${info.url}/api/3.25/sites/${creds.site.id}/projects`, { headers: { ...auth, Accept: 'application/json' } })
      ).json()) as { projects: { project: { id: string }[] } };
      const projectId = projects.projects.project[0]!.id;
      // Publishing a .hyper starts hyperd inside the emulator.
      const pub = await fetch(`${info.url}/api/3.25/sites/${creds.site.id}/datasources?overwrite=true`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'multipart/mixed; boundary=cli-b' },
        body: multipartBody(
          [
            {
              name: 'request_payload',
              contentType: 'text/xml',
              data: `<tsRequest><datasource name="Small"><project id="${projectId}"/></datasource></tsRequest>`,
            },
            { name: 'tableau_datasource', filename: 'Small.hyper', contentType: 'application/octet-stream', data: hyperFile },
          ],
          'cli-b',
        ),
      });
      assert.equal(pub.status, 201, await pub.clone().text());
      const hyperds = childPids(child.pid!);
      assert.ok(hyperds.length >= 1, 'hyperd runs as a child of the emulator');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      for (let i = 0; i < 50 && hyperds.some(alive); i += 1) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(hyperds.filter(alive), [], 'no hyperd outlives the emulator');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
