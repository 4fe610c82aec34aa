import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMultipart } from '../../../../main/core/tableau/tableau-multipart';

describe('multipart upload bodies (tableau-multipart.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-multipart-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a block's byte range from disk into one body of exactly the length it declared", async () => {
    const path = join(dir, 'payload.hyper');
    const file = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    writeFileSync(path, file);
    const body = buildMultipart(
      [
        { name: 'request_payload', contentType: 'text/xml', content: '' },
        { name: 'tableau_file', filename: 'payload.hyper', contentType: 'application/octet-stream', content: { path, start: 1000, end: 4200 } },
      ],
      'b0undary',
    );
    const bytes = await body.bytes();
    assert.equal(bytes.length, body.length);
    const expected = Buffer.concat([
      Buffer.from('--b0undary\r\nContent-Disposition: name="request_payload"\r\nContent-Type: text/xml\r\n\r\n\r\n'),
      Buffer.from('--b0undary\r\nContent-Disposition: name="tableau_file"; filename="payload.hyper"\r\nContent-Type: application/octet-stream\r\n\r\n'),
      file.subarray(1000, 4200),
      Buffer.from('\r\n--b0undary--\r\n'),
    ]);
    assert.deepEqual(bytes, expected);
    // Each call reads afresh (a retry sends the same bytes again).
    assert.deepEqual(await body.bytes(), expected);
    // Into a buffer the caller reuses (one per upload): its start, the same bytes; too small, a new one.
    const scratch = Buffer.alloc(body.length + 100, 0xee);
    const reused = await body.bytes(scratch);
    assert.equal(reused.buffer, scratch.buffer);
    assert.equal(reused.byteOffset, scratch.byteOffset);
    assert.deepEqual(reused, expected);
    const small = Buffer.alloc(10);
    const fresh = await body.bytes(small);
    assert.notEqual(fresh.buffer, small.buffer);
    assert.deepEqual(fresh, expected);
  });

  it('refuses to send a short body when the file shrank after the upload was planned', async () => {
    const path = join(dir, 'shrinks.hyper');
    writeFileSync(path, Buffer.alloc(3000, 7));
    const body = buildMultipart([
      { name: 'tableau_file', filename: 'shrinks.hyper', contentType: 'application/octet-stream', content: { path, start: 0, end: 3000 } },
    ]);
    truncateSync(path, 1200);
    await assert.rejects(
      body.bytes(),
      (err: Error & { code?: string }) => err.code === 'FILE_CHANGED' && /changed while it was being uploaded/.test(err.message),
    );
  });
});
