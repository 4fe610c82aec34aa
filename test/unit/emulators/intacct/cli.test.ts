import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

describe('emulator:intacct CLI', () => {
  it('prints the URL and credentials as its first line, serves them, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/emulators/intacct/cli.ts', '--port', '0', '--gl-rows', '300'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const info = JSON.parse(first) as Record<string, string>;
      assert.deepEqual(Object.keys(info).sort(), ['companyId', 'senderId', 'senderPassword', 'url', 'userId', 'userPassword']);
      assert.match(info.url!, /^http:\/\/127\.0\.0\.1:\d+\/ia\/xml\/xmlgw\.phtml$/);
      const e = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const body =
        `<request><control><senderid>${e(info.senderId!)}</senderid><password>${e(info.senderPassword!)}</password><controlid>c</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>` +
        `<operation><authentication><login><userid>${e(info.userId!)}</userid><companyid>${e(info.companyId!)}</companyid><password>${e(info.userPassword!)}</password></login></authentication>` +
        `<content><function controlid="f"><getAPISession/></function></content></operation></request>`;
      const text = await (await fetch(info.url!, { method: 'POST', body })).text();
      assert.match(text, /<sessionid>[^<]+<\/sessionid>/);
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
