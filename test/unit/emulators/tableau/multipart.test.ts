import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { multipartBoundary, openForWrite, parseMultipart } from '../../../../main/emulators/tableau/multipart';
import { TsHttpError } from '../../../../main/emulators/tableau/http-error';
import { multipartBody } from './helpers';

const B = 'xYz-boundary';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('multipart', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'multipart-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // Bytes that look like the start of a delimiter, CRLFs and every byte value.
  const tricky = Buffer.concat([
    Buffer.from(`\r\n--${B.slice(0, -1)}\r\n--\r\n`),
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Buffer.from(`\r\n-${B}`),
  ]);

  for (const size of [1, 7, 64 * 1024]) {
    it(`reads request_payload and streams tableau_file to disk (chunks of ${size} bytes)`, async () => {
      const body = multipartBody(
        [
          { name: 'request_payload', contentType: 'text/xml', data: '<tsRequest/>' },
          { name: 'tableau_file', filename: 'part.bin', contentType: 'application/octet-stream', data: tricky },
        ],
        B,
      );
      const path = join(dir, `f${size}.bin`);
      const h = await openForWrite(path);
      const r = await parseMultipart(chunked(body, size), B, { fileParts: ['tableau_file'], fileHandle: h, filePosition: 0, maxFileBytes: 1 << 20 });
      await h.close();
      assert.equal(r.fields.get('request_payload')?.toString(), '<tsRequest/>');
      assert.equal(r.file?.part.name, 'tableau_file');
      assert.equal(r.file?.part.filename, 'part.bin');
      assert.equal(r.file?.bytes, tricky.length);
      assert.deepEqual(await readFile(path), tricky);
    });
  }

  it('accepts parts named without form-data (MCP/MIG style), an empty payload and appends at a position', async () => {
    const path = join(dir, 'append.bin');
    const h = await openForWrite(path);
    await h.write(Buffer.from('HEAD'), 0, 4, 0);
    const body = multipartBody(
      [
        { name: 'request_payload', contentType: 'text/xml', data: '', formData: false },
        { name: 'tableau_file', filename: 'x', contentType: 'application/octet-stream', data: 'TAIL', formData: false },
      ],
      B,
    );
    const r = await parseMultipart(chunked(body, 3), B, { fileParts: ['tableau_file'], fileHandle: h, filePosition: 4, maxFileBytes: 100 });
    await h.close();
    assert.equal(r.fields.get('request_payload')?.length, 0);
    assert.equal((await readFile(path)).toString(), 'HEADTAIL');
  });

  it('refuses a file part over the block limit with 413', async () => {
    const h = await openForWrite(join(dir, 'big.bin'));
    const body = multipartBody([{ name: 'tableau_file', filename: 'x', contentType: 'application/octet-stream', data: Buffer.alloc(101) }], B);
    await assert.rejects(
      parseMultipart(chunked(body, 10), B, { fileParts: ['tableau_file'], fileHandle: h, filePosition: 0, maxFileBytes: 100 }),
      (e: unknown) => e instanceof TsHttpError && e.status === 413,
    );
    await h.close();
  });

  it('refuses a body without its closing boundary, and a part without a name, with 400', async () => {
    const truncated = multipartBody([{ name: 'request_payload', contentType: 'text/xml', data: 'abc' }], B).subarray(0, 60);
    await assert.rejects(
      parseMultipart(chunked(truncated, 5), B, { fileParts: [], fileHandle: null, filePosition: 0, maxFileBytes: 0 }),
      (e: unknown) => e instanceof TsHttpError && e.status === 400,
    );
    const nameless = Buffer.from(`--${B}\r\nContent-Type: text/xml\r\n\r\nabc\r\n--${B}--\r\n`);
    await assert.rejects(
      parseMultipart(chunked(nameless, 5), B, { fileParts: [], fileHandle: null, filePosition: 0, maxFileBytes: 0 }),
      /no Content-Disposition name/,
    );
  });

  it('takes the boundary from the Content-Type, quoted or not, and refuses other types', () => {
    assert.equal(multipartBoundary('multipart/mixed; boundary=abc123'), 'abc123');
    assert.equal(multipartBoundary('multipart/mixed; boundary="a b:c"'), 'a b:c');
    assert.throws(
      () => multipartBoundary('application/json'),
      (e: unknown) => e instanceof TsHttpError && e.code === '400000',
    );
    assert.throws(() => multipartBoundary('multipart/mixed'), /no boundary/);
  });
});
