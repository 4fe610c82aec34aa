/**
 * A replica of some of the sample company's streams in a `.hyper` file, attached in hyperd as
 * "rep" with an empty "models" schema: what the model tests compute from. Records go through the
 * streams' own column converters, as the sync would load them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { findHyperd, startHyperEngine, writeHyperFile, type HyperEngine } from '../../../../main/core/hyper';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { Row } from '../../../../main/core/streams/types';
import { compileColumn, ZoneConverter } from '../../../../main/core/intacct/intacct-values';
import { qualifiedName } from '../../../../main/core/models/gl-balances';

/** A record's field as the reader hands it on: an empty or absent value is null. */
export const v = (r: IntacctRecord, f: string): string | null => (r[f] === undefined || r[f] === '' ? null : r[f]!);

export function toRows(stream: string, records: Iterable<IntacctRecord>): Row[] {
  const cols = streamByName(stream).columns;
  const conv = cols.map((c) => compileColumn(c, new ZoneConverter('UTC')));
  const rows: Row[] = [];
  for (const r of records) rows.push(Object.fromEntries(cols.map((c, i) => [c.name, conv[i]!(v(r, c.source))])));
  return rows;
}

export interface Replica {
  client: pg.Client;
  /** The replica file and the engine it was written with (the model stage opens its own session). */
  path: string;
  engine: HyperEngine;
  /** A fresh folder removed by close (e.g. the models' own database). */
  dir: string;
  close(): Promise<void>;
}

export async function openReplica(prefix: string, streams: Record<string, Iterable<IntacctRecord>>): Promise<Replica> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const engine = await startHyperEngine({ hyperdPath: findHyperd({ projectRoot: process.cwd() }), logDir: join(dir, 'logs') });
  let client: pg.Client | undefined;
  const close = async () => {
    await client?.end().catch(() => undefined);
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const path = join(dir, 'replica.hyper');
    await writeHyperFile(
      engine,
      path,
      Object.entries(streams).map(([name, records]) => ({
        table: { schema: 'replica', name, columns: streamByName(name).columns },
        rows: [toRows(name, records)],
      })),
    );
    client = await engine.connect();
    await client.query(`ATTACH DATABASE ${qualifiedName(path)} AS "rep"`);
    await client.query('CREATE SCHEMA IF NOT EXISTS "rep"."models"');
    return { client, path, engine, dir: join(dir, 'work'), close };
  } catch (err) {
    await close();
    throw err;
  }
}
