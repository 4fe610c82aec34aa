import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { redactSecrets, secretForms, withReadableTimes } from '../../../../main/core/service/support-bundle';
import { parseHyperdVersion, readHyperdVersion } from '../../../../main/core/hyper/hyperd-version';

const NPM_HYPERD = join(process.cwd(), 'node_modules', 'hyperdb-api-node-linux-x64-gnu', 'hyperd');

describe('support bundle redaction', () => {
  const secret = 'pa"ss\\wo<r>d&\'x';

  it('redacts a secret in its JSON-escaped (once and twice) and XML-escaped forms', () => {
    const upstreamJson = `{"error":"bad password ${JSON.stringify(secret).slice(1, -1)}"}`;
    const upstreamXml = `<errormessage><description2>Password ${secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')} refused</description2></errormessage>`;
    const log = [{ message: `Sign-in refused for ${secret}` }, { message: `Tableau said: ${upstreamJson}` }, { message: `Intacct said: ${upstreamXml}` }];
    const text = JSON.stringify(log, null, 2);
    const r = redactSecrets(text, [secret]);
    for (const form of secretForms(secret)) assert.ok(!r.text.includes(form), `left in the bundle: ${form}`);
    assert.equal(r.found, 3);
    assert.equal(JSON.parse(r.text).length, 3, 'the file stays valid JSON');
    assert.match(r.text, /Sign-in refused for \[redacted\]/);
  });

  it('leaves text without the secret alone and skips secrets too short to tell apart', () => {
    assert.deepEqual(redactSecrets('{"a":"b"}', [secret, 'ab']), { text: '{"a":"b"}', found: 0 });
  });
});

describe('support bundle readable times', () => {
  it('adds a UTC twin beside every epoch-millisecond time (at, …At), at any depth, and leaves the rest alone', () => {
    const t = Date.UTC(2026, 11, 3, 17, 0, 0);
    const out = withReadableTimes({
      at: t,
      runs: [{ startedAt: t, finishedAt: null, rowsMoved: 1500 }],
      streams: { gl_detail: { lastRunAt: t + 1000 } },
      label: 'x',
      waitedAt: 5,
    });
    assert.deepEqual(out, {
      at: t,
      atUtc: '2026-12-03T17:00:00.000Z',
      runs: [{ startedAt: t, startedAtUtc: '2026-12-03T17:00:00.000Z', finishedAt: null, rowsMoved: 1500 }],
      streams: { gl_detail: { lastRunAt: t + 1000, lastRunAtUtc: '2026-12-03T17:00:01.000Z' } },
      label: 'x',
      waitedAt: 5, // not a time since 2000: left as it is
    });
  });
});

describe('hyperd version', () => {
  it('reads the version from `hyperd --version`', () => {
    assert.equal(parseHyperdVersion('Hyper version main.0.0.26359.r07abb490\nMaximum supported database version 4\n'), 'main.0.0.26359.r07abb490');
    assert.equal(parseHyperdVersion('unsupported command'), null);
  });

  it(
    'asks the real hyperd (the npm package’s), writing no log beside it',
    { skip: existsSync(NPM_HYPERD) ? false : 'no npm hyperd on this platform' },
    async () => {
      const before = readdirSync(dirname(NPM_HYPERD)).sort();
      assert.match((await readHyperdVersion(NPM_HYPERD)) ?? '', /^[\w.]+$/);
      assert.deepEqual(readdirSync(dirname(NPM_HYPERD)).sort(), before);
    },
  );
});
