import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../../main/core/clock';
import { createNodeFetch } from '../../../../main/core/http/transport';
import { createIntacctClient } from '../../../../main/core/intacct';
import { streamByName } from '../../../../main/core/streams/definitions';
import { startIntacctEmulator, type IntacctEmulator } from '../../../../main/emulators/intacct';

// The bench's `--repeat-answers` (repeated-answers.ts): a GL page asked for again is answered from
// what was kept, and never once GL detail changed.
describe('intacct emulator: repeated GL detail answers', () => {
  let emu: IntacctEmulator;
  const gl = streamByName('gl_detail');
  before(async () => {
    emu = await startIntacctEmulator({ glRows: 3000, repeatAnswers: true });
  });
  after(async () => {
    await emu.close();
  });

  const readAll = async () => {
    const client = createIntacctClient({
      credentials: emu.credentials,
      endpoint: emu.url,
      allowedEndpointHosts: () => true, // the emulator is on 127.0.0.1
      fetch: createNodeFetch(),
      clock: systemClock,
    });
    try {
      const rows = new Map<string, string>();
      for await (const page of client.readChanged({ object: 'GLDETAIL', columns: gl.columns, filters: gl.filters, since: null, pageSize: 500 })) {
        for (const r of page.rows) rows.set(String(r.RECORDNO), String(r.AMOUNT));
      }
      return rows;
    } finally {
      client.close();
    }
  };

  it('answers a repeated read from the kept pages, with the same rows', async () => {
    const first = await readAll();
    const made = emu.repeated.misses;
    assert.ok(made >= 6, `GL pages made on the first read: ${made}`);
    assert.equal(emu.repeated.hits, 0);
    const second = await readAll();
    assert.deepEqual(second, first);
    assert.equal(emu.repeated.misses, made, 'no page made again');
    assert.equal(emu.repeated.hits, made);
  });

  it('makes the pages again once GL detail changed, so an edit is never hidden', async () => {
    const before = await readAll();
    const key = [...before.keys()][1234]!;
    emu.company.edit('GLDETAIL', key, { AMOUNT: '4321.09' });
    const misses = emu.repeated.misses;
    const after = await readAll();
    assert.ok(emu.repeated.misses > misses, 'pages made again after the edit');
    assert.equal(after.get(key), '4321.09');
    assert.equal(after.size, before.size);
  });

  it("keeps and reuses nothing while turned off (the bench's live read), and keeps again once on", async () => {
    const warm = await readAll(); // what is kept from the tests above is reused from here on
    const { hits, misses } = emu.repeated;
    emu.setRepeatAnswers(false);
    try {
      const live = await readAll();
      assert.deepEqual(live, warm);
      assert.deepEqual(emu.repeated, { hits, misses }, 'every page made, none looked up or kept');
    } finally {
      emu.setRepeatAnswers(true);
    }
    await readAll();
    assert.ok(emu.repeated.hits > hits, 'on again: the kept pages are reused');
  });
});
