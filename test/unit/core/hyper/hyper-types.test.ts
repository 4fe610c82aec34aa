import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hyperTypeParsers, parseBigint, parseTimestamp, PgOid } from '../../../../main/core/hyper/hyper-types';
import { parseCallbackDescriptor, hyperdArgs, hyperdEnvironment } from '../../../../main/core/hyper/hyper-engine';

describe('hyper-types', () => {
  it('keeps numerics, dates and timestamps as the exact text hyperd sent', () => {
    const p = (oid: number, text: string) => hyperTypeParsers.getTypeParser(oid, 'text')(text);
    assert.equal(p(PgOid.numeric, '-99999999999999.99'), '-99999999999999.99');
    assert.equal(p(PgOid.date, '2024-02-29'), '2024-02-29');
    assert.equal(p(PgOid.timestamp, '2024-02-29 23:59:59'), '2024-02-29 23:59:59');
    assert.equal(p(PgOid.bool, 't'), true);
    assert.equal(p(PgOid.int8, '42'), 42);
  });

  it('drops an all-zero fraction of a timestamp but keeps a real one', () => {
    assert.equal(parseTimestamp('2026-01-15 12:00:00.000000'), '2026-01-15 12:00:00');
    assert.equal(parseTimestamp('2026-01-15 12:00:00.250000'), '2026-01-15 12:00:00.250000');
  });

  it('refuses a BIGINT a JavaScript number cannot hold exactly', () => {
    assert.equal(parseBigint('-9007199254740991'), -9007199254740991);
    assert.throws(() => parseBigint('9007199254740993'), RangeError);
  });
});

describe('hyper-engine helpers', () => {
  it('reads where hyperd listens from the callback descriptor it sends', () => {
    assert.deepEqual(parseCallbackDescriptor('tab.tcp://127.0.0.1:41981\0'), { host: '127.0.0.1', port: 41981 });
    assert.deepEqual(parseCallbackDescriptor('tab.domain:///tmp/mlc-hyperd-a1/domain/.s.PGSQL.3\0'), { host: '/tmp/mlc-hyperd-a1', port: 3 });
    assert.throws(() => parseCallbackDescriptor('tab.domain:///tmp/x/domain/y'), /unexpected listen descriptor/);
    // Only loopback: a descriptor naming another host is refused.
    assert.throws(() => parseCallbackDescriptor('tab.tcp://10.0.0.5:7483'), /unexpected listen descriptor/);
  });

  it('starts hyperd on a private socket with a callback connection, no external files and bounded logs', () => {
    const listen = { callback: 'tab.domain:///s/domain/cb-1', listen: 'tab.domain:///s/domain/.s.PGSQL.1' };
    const args = hyperdArgs(listen, '/logs', { noFilesDir: '/s/no-files', posix: true, databaseDirs: ['/data/payloads'] });
    assert.equal(args[0], 'run');
    assert.ok(args.includes('--callback-connection=tab.domain:///s/domain/cb-1'));
    assert.ok(args.includes('--listen-connection=tab.domain:///s/domain/.s.PGSQL.1'));
    assert.ok(!args.includes('--no-password'), 'the init user has a password');
    assert.ok(args.includes('--external-file-whitelist=/s/no-files'));
    assert.ok(args.includes('--external-file-blacklist=/'));
    const storage = args.find((a) => a.startsWith('--storage-providers='));
    assert.deepEqual(JSON.parse(storage!.slice('--storage-providers='.length)).providers[0].whitelist, ['/data/payloads']);
    assert.ok(args.includes('--log-dir=/logs'));
    assert.ok(args.includes('--default-database-version=2'));
  });

  it('passes hyperd only the system folders and temp folder of the host environment', () => {
    assert.deepEqual(hyperdEnvironment({ SystemRoot: 'C:\\Windows', TEMP: 'C:\\T', PATH: '/usr/bin', ML_INTACCT_USER_PASSWORD: 'pw', HOME: '/root' }), {
      SystemRoot: 'C:\\Windows',
      TEMP: 'C:\\T',
    });
  });
});
