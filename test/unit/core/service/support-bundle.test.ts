import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets, secretForms } from '../../../../main/core/service/support-bundle';

describe('support bundle redaction', () => {
  const secret = 'pa"ss\\wo<r>d&\'x';

  it('redacts a secret in its JSON-escaped (once and twice) and XML-escaped forms', () => {
    const upstreamJson = `{"error":"bad password ${JSON.stringify(secret).slice(1, -1)}"}`;
    const upstreamXml = `<errormessage><description2>Password ${secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')} refused</description2></errormessage>`;
    const log = [
      { message: `Sign-in refused for ${secret}` },
      { message: `Tableau said: ${upstreamJson}` },
      { message: `Intacct said: ${upstreamXml}` },
    ];
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
