import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnvironment, parseCommandLine, runAlertCommand } from '../../../../main/core/alerts';
import { validateSettings, defaultSettings } from '../../../../main/core/service/settings';

const dir = mkdtempSync(join(tmpdir(), 'mlc-alert-cmd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function waitForFile(path: string, ms = 5000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.endsWith('\n')) return text;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${path} was not written`);
}

describe('parseCommandLine', () => {
  it('splits words, honours quotes and backslashes, and expands nothing', () => {
    assert.deepEqual(parseCommandLine('/usr/bin/notify --to "Finance Team" \'a b\' c\\ d'), ['/usr/bin/notify', '--to', 'Finance Team', 'a b', 'c d']);
    assert.deepEqual(parseCommandLine('notify "$HOME" \'$(id)\' "say \\"hi\\""'), ['notify', '$HOME', '$(id)', 'say "hi"']);
    assert.deepEqual(parseCommandLine('  '), []);
    assert.deepEqual(parseCommandLine('post https://hooks.example.com/x#frag'), ['post', 'https://hooks.example.com/x#frag']);
  });

  it('refuses unquoted shell operators and unterminated quotes with a message saying what to do', () => {
    for (const line of ['id > pwned.txt', 'a | b', 'a; rm -rf x', 'echo $(id)', 'echo `id`', 'notify $SECRET', 'ls *.csv', '~/bin/alert']) {
      assert.throws(() => parseCommandLine(line), /runs without a shell|shell operator/, line);
    }
    assert.throws(() => parseCommandLine('notify "open'), /not closed/);
  });

  it('makes a settings file with such a command invalid, naming the field', () => {
    const s = defaultSettings();
    s.alerts.command = 'id > /tmp/pwned.txt';
    const r = validateSettings(s);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? (r.errors['alerts.command'] ?? '') : '', /without a shell/);
  });
});

describe('childEnvironment', () => {
  it('keeps what programs need and drops secrets and everything else', () => {
    const env = childEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/a',
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      ML_INTACCT_USER_PASSWORD: 'pw',
      ML_TABLEAU_PAT_SECRET: 's',
      AWS_SECRET_ACCESS_KEY: 'k',
      HYPERD_PATH: '/x',
    });
    assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/home/a', LANG: 'C.UTF-8', TZ: 'UTC' });
  });
});

describe('runAlertCommand', () => {
  it(
    'runs the program directly with its arguments, the alert on stdin and only the given environment',
    { skip: process.platform === 'win32' && 'POSIX shell script' },
    async () => {
      const script = join(dir, 'record.sh');
      writeFileSync(
        script,
        '#!/bin/sh\nout="$1"; shift\nenv > "$out.env"\nfor a in "$@"; do printf "[%s]" "$a"; done > "$out.args"\ncat > "$out.stdin.tmp"; mv "$out.stdin.tmp" "$out.stdin"; echo >> "$out.stdin"\n',
        { mode: 0o755 },
      );
      const out = join(dir, 'run1');
      const errors: string[] = [];
      runAlertCommand(
        `${script} ${out} "$HOME" 'two words'`,
        { kind: 'run-failed', message: 'The sync failed', at: 1 },
        { env: { PATH: '/usr/bin:/bin', SAFE: '1' }, onError: (m) => errors.push(m) },
      );
      const stdin = await waitForFile(`${out}.stdin`);
      assert.deepEqual(JSON.parse(stdin.trim()), { kind: 'run-failed', message: 'The sync failed', at: 1 });
      assert.equal(readFileSync(`${out}.args`, 'utf8'), '[$HOME][two words]');
      const env = readFileSync(`${out}.env`, 'utf8');
      assert.match(env, /^SAFE=1$/m);
      assert.doesNotMatch(env, /^ML_/m);
      assert.deepEqual(errors, []);
    },
  );

  it('does not run a command with shell operators, and says why', () => {
    const errors: string[] = [];
    const pwned = join(dir, 'pwned.txt');
    runAlertCommand(`id > ${pwned}`, { kind: 'run-failed', message: 'x', at: 1 }, { env: {}, onError: (m) => errors.push(m) });
    assert.match(errors[0] ?? '', /not run: ">" is a shell operator/);
    assert.equal(existsSync(pwned), false);
  });
});
