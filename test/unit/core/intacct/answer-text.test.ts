/**
 * Answers read from bytes (latin1, UTF-8 decoded only where a value holds a non-ASCII byte,
 * answer-text.ts) give exactly what the decoded text gives: records, typed rows, envelope texts,
 * the full parser's fallback; invalid UTF-8 is refused by the transport.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answerText, nextNonAscii, utf8FromLatin1 } from '../../../../main/core/intacct/answer-text';
import { parseResponse } from '../../../../main/core/intacct/response-parser';
import type { RecordBuilder } from '../../../../main/core/intacct/flat-records';
import { ConnectorError } from '../../../../main/core/errors';
import { IntacctTransport, CallContext } from '../../../../main/core/intacct/intacct-transport';
import { ManualClock } from '../../../../main/core/clock';

const wrap = (data: string, errors = '') =>
  '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control><operation>' +
  '<authentication><status>success</status><userid>Zoë</userid><companyid>c</companyid></authentication>' +
  `<result><status>success</status><function>query</function><controlid>x</controlid>${errors}${data}</result></operation></response>`;

const records = [
  ['1', 'OEM — Direct', 'Café &amp; Bar', '€12.50', ''],
  ['2', 'plain', '&lt;Müller&gt;', '', '日本語 😀'],
  ['3', 'ascii only', 'x', 'y', 'z'],
];
const row = (r: string[]) => `<GLDETAIL><RECORDNO>${r[0]}</RECORDNO><A>${r[1]}</A><B>${r[2]}</B><C>${r[3]}</C>${r[4] ? `<D>${r[4]}</D>` : '<D/>'}</GLDETAIL>`;
const page = wrap(`<data listtype="GLDETAIL" count="3" totalcount="3" numremaining="0">${records.map(row).join('\n')}</data>`);

const collect: RecordBuilder = (fields) => (values) => Object.fromEntries(fields.map((f, k) => [f, values[k]]));

describe('answers read lazily from bytes', () => {
  it('gives the records, typed rows and envelope the decoded text gives', () => {
    const bytes = Buffer.from(page, 'utf8');
    const fromText = parseResponse({ status: 200, body: page });
    const fromBytes = parseResponse({ status: 200, body: bytes });
    assert.deepEqual(fromBytes.results[0]!.data!.records, fromText.results[0]!.data!.records);
    assert.equal(fromBytes.results[0]!.data!.records[0]!['A'], 'OEM — Direct');
    assert.equal(fromBytes.results[0]!.data!.records[1]!['B'], '<Müller>');
    assert.equal(fromBytes.authentication?.userId, 'Zoë', 'the envelope is decoded too');
    const built = parseResponse({ status: 200, body: bytes }, { build: collect }).results[0]!.data!.table!;
    assert.deepEqual(built.built, fromText.results[0]!.data!.records);
    assert.deepEqual(built.last, ['3', 'ascii only', 'x', 'y', 'z']);
  });

  it('decodes values of the generic path (a record off the layout) and of the full parser fallback', () => {
    const offLayout = wrap(`<data count="2">${row(records[0]!)}<GLDETAIL><RECORDNO>9</RECORDNO><E>Ørsted ±</E></GLDETAIL></data>`);
    const nested = wrap(`<data count="1"><GLDETAIL><RECORDNO>9</RECORDNO><N><M>Ørsted</M></N></GLDETAIL></data>`);
    for (const xml of [offLayout, nested]) {
      const fromBytes = parseResponse({ status: 200, body: Buffer.from(xml, 'utf8') }).results[0]!.data!.records;
      assert.deepEqual(fromBytes, parseResponse({ status: 200, body: xml }).results[0]!.data!.records);
    }
  });

  it('drops a UTF-8 BOM and reads an all-ASCII answer as is', () => {
    const ascii = wrap('<data count="1"><R><A>x</A></R></data>').replace('Zoë', 'Zoe');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ascii)]);
    const read = answerText(withBom);
    assert.deepEqual([read.text, read.ascii], [ascii, true]);
    assert.deepEqual(parseResponse({ status: 200, body: withBom }).results[0]!.data!.records, [{ A: 'x' }]);
    assert.equal(answerText(Buffer.from('é')).ascii, false);
  });

  it('finds non-ASCII chars, trims only XML whitespace and decodes slices from the bytes', () => {
    const s = Buffer.from('ab—c', 'utf8').toString('latin1');
    assert.equal(nextNonAscii(s, 0, s.length), 2);
    assert.equal(nextNonAscii(s, 0, 1), 1, 'none before the bound');
    assert.equal(utf8FromLatin1(s), 'ab—c');
    const nbsp = answerText(Buffer.from(' \n\u00a0x—\u00a0\t ', 'utf8'));
    assert.equal(nbsp.text, Buffer.from('\u00a0x—\u00a0', 'utf8').toString('latin1'), 'a no-break space is data, not XML whitespace');
    assert.equal(nbsp.utf8(0, nbsp.text.length), '\u00a0x—\u00a0');
    assert.equal(nbsp.utf8(2, 6), 'x—', 'positions in the text are byte offsets');
  });

  it('refuses invalid UTF-8 at the transport (not loaded as replacement characters)', async () => {
    const bad = Buffer.concat([Buffer.from(wrap('<data count="1"><R><A>')), Buffer.from([0xc3, 0x28]), Buffer.from('</A></R></data>')]);
    const transport = new IntacctTransport({
      fetch: async () => new Response(bad, { status: 200 }),
      clock: new ManualClock(0),
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 },
      timeoutMs: 1000,
      concurrency: 1,
    });
    await assert.rejects(
      transport.send(new CallContext(() => undefined), {
        url: 'https://api.intacct.com/ia/xml/xmlgw.phtml',
        xml: '<request/>',
        operation: 'query',
        attempt: 1,
        controlId: 'x',
      }),
      (e: unknown) => e instanceof ConnectorError && e.code === 'INVALID_UTF8',
    );
  });
});
