import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import yazl from 'yazl';
import { ApiError } from '../../../../main/core/errors';
import { hyperFromDownload } from '../../../../main/core/tableau/tdsx-archive';

// A Hyper file starts with "Hyper" (checked against TSC's World Indicators.hyper); the rest is opaque here.
const hyper = Buffer.concat([Buffer.from('Hyper\x08\x00\x00\x01', 'latin1'), randomBytes(200_000), Buffer.alloc(100_000)]);

function zip(entries: { name: string; data: Buffer; compress: boolean }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.data, e.name, { compress: e.compress });
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}

describe('hyperFromDownload', () => {
  it('takes the .hyper out of a .tdsx (deflated or stored), or keeps a bare .hyper', async () => {
    for (const compress of [true, false]) {
      const tdsx = await zip([
        { name: 'World Indicators.tds', data: Buffer.from('<datasource/>'), compress },
        { name: 'Data/Extracts/World Indicators.hyper', data: hyper, compress },
      ]);
      assert.ok(hyperFromDownload(tdsx, 'ds').equals(hyper), `compress=${compress}`);
    }
    assert.ok(hyperFromDownload(hyper, 'ds').equals(hyper));
  });

  it('says what it got when there is no extract to read', async () => {
    const noExtract = await zip([{ name: 'x.tds', data: Buffer.from('<datasource/>'), compress: true }]);
    assert.throws(
      () => hyperFromDownload(noExtract, 'data source X'),
      (e: unknown) => e instanceof ApiError && /data source X.*no \.hyper extract/.test(e.userMessage),
    );
    assert.throws(() => hyperFromDownload(Buffer.from('<html>login</html>'), 'ds'), /neither a \.hyper nor a \.tdsx/);
  });
});
