/**
 * Writes a payload `.hyper` file: typed tables filled by streaming rows through COPY.
 *
 * hyperd takes `COPY … FROM STDIN` over the pg wire protocol (tableau-rest.md §1.3), as CSV or in
 * its own binary format. Binary is the default: it costs both Node and hyperd far less CPU per row
 * (hyperbinary-encoder.ts). As that format is not publicly documented, each engine is first asked to
 * encode a probe row itself and binary is used only if its bytes are exactly ours; otherwise, and on
 * request (`format: 'csv'`), rows go as CSV. The tests write the same rows both ways. Rows are encoded batch by
 * batch into ~1 MB chunks and piped into the COPY stream with backpressure, so a million-row file
 * never sits in memory. The database is DETACHed at the end so the file on disk is complete before
 * anyone uploads it.
 */
import { rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '../streams/types';
import { createCsvEncoder } from './csv-encoder';
import { ChunkSink, createHyperBinaryEncoder, HYPERBINARY_HEADER } from './hyperbinary-encoder';
import type { HyperEngine } from './hyper-engine';
import { toHyperError } from './hyper-errors';
import { CancelledError, ConnectorError } from '../errors';
import { createTableSql, hyperColumnSql, qualifiedTable, quoteIdent, type HyperTable } from './hyper-sql';
import type { ColumnDef } from '../streams/types';
import { to as copyTo } from 'pg-copy-streams';

/** How rows travel to hyperd: Hyper's binary COPY format (default) or CSV. */
export type CopyFormat = 'hyperbinary' | 'csv';

/** One table to write and its rows, in batches (an array of rows per yield). */
export interface HyperTableInput {
  table: HyperTable;
  rows: AsyncIterable<readonly Row[]> | Iterable<readonly Row[]>;
}

export interface WriteHyperResult {
  /** Rows written per table, in input order (as counted by hyperd's COPY). */
  rowCounts: number[];
  /** Size of the finished file. */
  bytes: number;
}

/**
 * Bytes of CSV gathered before a chunk goes to the socket, i.e. the size of one CopyData message.
 * hyperd pays a fixed cost per message: on the 1M-row bench, 64 KB messages cost it ~50% more CPU
 * than 256 KB ones, and 1 MB ones ~10% less again (scripts/bench-tableau.ts, hyperd CPU time).
 */
const CHUNK_BYTES = 1024 * 1024;
/** Characters of CSV gathered as a string before they are encoded into the chunk. */
const PENDING_CHARS = 16 * 1024;
/**
 * CSV allowed to queue ahead of hyperd before encoding pauses. Node encodes and hyperd parses on
 * different cores; a deep queue lets both run instead of taking turns on every 256 KB chunk
 * (each turn costs a wake-up, which on a busy machine is milliseconds). Bounded, so memory is too.
 */
const QUEUE_BYTES = 8 * 1024 * 1024;

let aliasSeq = 0;
/** A fresh alias: each write has its own session, but a unique name costs nothing and rules out clashes. */
function attachAlias(): string {
  return `payload_${++aliasSeq}`;
}

/**
 * Bytes encoded between two turns of the event loop (nextTurn), whether or not a chunk filled.
 * The socket to hyperd holds ~208 KB in the kernel (Linux's default send buffer, net.core.wmem_default)
 * and libuv refills it only when the event loop runs; one turn per 1 MB chunk (~14 ms of encoding)
 * let hyperd empty it in ~2 ms and wait for the rest: on the 1M-row bench, Node and hyperd were
 * each idle a third of the time. A turn every 64 KB keeps it topped up: the write took 4.6–5.9 s
 * instead of 7.0–8.2 s (scripts/bench-tableau.ts, 2026-12-04; 16 KB to 256 KB all did about as well).
 */
const TURN_BYTES = 64 * 1024;

/**
 * Lets the event loop run once. Readable.from() pulls the next chunk from a microtask, so an encoder
 * that never waits on I/O would fill the whole COPY queue before libuv gets to poll the socket again:
 * the kernel buffer drains, hyperd sits idle, then Node sits idle while hyperd parses the queue.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Binary COPY chunks (~1 MB Buffers) for a table's row batches. Counts rows in `counter`.
 * Chunks are cut wherever they fill, even inside a row: hyperd reassembles the stream.
 */
async function* binaryChunks(input: HyperTableInput, counter: { rows: number }, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const encode = createHyperBinaryEncoder(input.table.columns);
  const sink = new ChunkSink(CHUNK_BYTES);
  sink.pos = HYPERBINARY_HEADER.copy(sink.buf, 0);
  let turnAt = sink.pos + TURN_BYTES;
  for await (const batch of input.rows as AsyncIterable<readonly Row[]>) {
    if (signal?.aborted) throw new CancelledError('Writing the Hyper file was cancelled.');
    for (let i = 0; i < batch.length; i++) {
      encode(batch[i]!, sink);
      if (sink.hasFull) {
        for (const chunk of sink.takeFull()) yield chunk;
        await nextTurn();
        turnAt = sink.pos + TURN_BYTES;
      } else if (sink.pos >= turnAt) {
        await nextTurn();
        turnAt = sink.pos + TURN_BYTES;
      }
    }
    counter.rows += batch.length;
  }
  for (const chunk of sink.drain()) yield chunk;
}

/** CSV chunks (Buffers of ~1 MB) for a table's row batches. Counts rows in `counter`. */
async function* csvChunks(input: HyperTableInput, counter: { rows: number }, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const encode = createCsvEncoder(input.table.columns);
  // Lines are gathered into ~16 K-character strings and UTF-8-encoded straight into the chunk:
  // cheaper than one Buffer.write per line or one huge string converted at the end (measured).
  // A UTF-16 code unit never takes more than 3 bytes in UTF-8, hence the `* 3` bound.
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let pos = 0;
  let pending = '';
  let turnAt = TURN_BYTES;
  /** Moves `pending` into the chunk; returns the previous chunk when it was full. */
  const flushPending = (): Buffer | undefined => {
    let full: Buffer | undefined;
    if (pos + pending.length * 3 > chunk.length) {
      if (pos > 0) full = chunk.subarray(0, pos);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, pending.length * 3));
      pos = 0;
    }
    pos += chunk.write(pending, pos);
    pending = '';
    return full;
  };
  for await (const batch of input.rows as AsyncIterable<readonly Row[]>) {
    if (signal?.aborted) throw new CancelledError('Writing the Hyper file was cancelled.');
    for (let i = 0; i < batch.length; i++) {
      pending += encode(batch[i]!);
      if (pending.length >= PENDING_CHARS) {
        const full = flushPending();
        if (full) {
          yield full;
          await nextTurn();
          turnAt = pos + TURN_BYTES;
        } else if (pos >= turnAt) {
          await nextTurn();
          turnAt = pos + TURN_BYTES;
        }
      }
    }
    counter.rows += batch.length;
  }
  if (pending.length) {
    const full = flushPending();
    if (full) yield full;
  }
  if (pos > 0) yield chunk.subarray(0, pos);
}

/** Streams one table's rows into hyperd; resolves with hyperd's row count. */
async function copyTable(client: pg.Client, alias: string, input: HyperTableInput, format: CopyFormat, signal?: AbortSignal): Promise<number> {
  const counter = { rows: 0 };
  const target = qualifiedTable(alias, input.table);
  const sql =
    format === 'csv'
      ? `COPY ${target} FROM STDIN WITH (FORMAT CSV, HEADER false, NULL '', DELIMITER ',', QUOTE '"', ESCAPE '"')`
      : `COPY ${target} FROM STDIN WITH (FORMAT hyperbinary)`;
  const chunks = format === 'csv' ? csvChunks(input, counter, signal) : binaryChunks(input, counter, signal);
  const copy = client.query(copyFrom(sql, { highWaterMark: QUEUE_BYTES }));
  // pipeline() honours the socket's backpressure (awaits 'drain') and ends COPY when rows run out;
  // if an encoder throws (a value breaking the Row conventions) COPY is aborted, nothing half-written stays.
  await pipeline(Readable.from(chunks, { objectMode: false }), copy);
  const copied = copy.rowCount;
  if (copied !== counter.rows) {
    throw new ConnectorError({
      service: 'hyper',
      kind: 'system',
      retryable: false,
      code: 'HYPER_ROW_COUNT',
      userMessage: `hyperd loaded ${copied} rows into ${input.table.schema}.${input.table.name} but ${counter.rows} were sent`,
    });
  }
  return copied;
}

/** One column of every type, nullable and not, and a row of values that exercise each encoding. */
const PROBE_COLUMNS: ColumnDef[] = [
  { name: 'i', source: 'i', type: 'bigint', nullable: false },
  { name: 't', source: 't', type: 'text', nullable: true },
  { name: 'n', source: 'n', type: 'numeric', precision: 18, scale: 2, nullable: true },
  { name: 'd', source: 'd', type: 'date', nullable: true },
  { name: 's', source: 's', type: 'timestamp', nullable: false },
  { name: 'b', source: 'b', type: 'bool', nullable: true },
  { name: 'z', source: 'z', type: 'text', nullable: true },
];
const PROBE_ROW: Row = { i: -2, t: 'é,x', n: '-1234.56', d: '2024-02-29', s: '1999-12-31 23:59:59.5', b: true, z: null };
const PROBE_VALUES = "-2, 'é,x', -1234.56, DATE '2024-02-29', TIMESTAMP '1999-12-31 23:59:59.5', true, NULL";

/**
 * Whether this hyperd's binary COPY format is exactly the one the encoder writes: hyperd encodes a
 * probe row itself (`COPY … TO STDOUT WITH (FORMAT hyperbinary)`) and the bytes are compared.
 * The format is not in Tableau's public documentation, so a hyperd that differs (or refuses it)
 * gets CSV rather than wrong data.
 */
export async function supportsBinaryCopy(engine: HyperEngine): Promise<boolean> {
  return (await probeBinaryCopy(engine)) === 'same';
}

/**
 * 'same' or 'different' bytes, 'refused' when hyperd answered the probe with an SQL error (it does
 * not know the format), 'unreachable' when it could not be asked at all (not running just now).
 */
async function probeBinaryCopy(engine: HyperEngine): Promise<'same' | 'different' | 'refused' | 'unreachable'> {
  const encode = createHyperBinaryEncoder(PROBE_COLUMNS);
  const sink = new ChunkSink(4096);
  sink.pos = HYPERBINARY_HEADER.copy(sink.buf, 0);
  encode(PROBE_ROW, sink);
  const ours = Buffer.concat(sink.drain());
  try {
    return await engine.withClient(async (client) => {
      await client.query(`CREATE TEMPORARY TABLE mlc_copy_probe (${PROBE_COLUMNS.map(hyperColumnSql).join(', ')})`);
      await client.query(`INSERT INTO mlc_copy_probe VALUES (${PROBE_VALUES})`);
      const parts: Buffer[] = [];
      for await (const part of client.query(copyTo('COPY mlc_copy_probe TO STDOUT WITH (FORMAT hyperbinary)'))) parts.push(part as Buffer);
      return Buffer.concat(parts).equals(ours) ? 'same' : 'different';
    });
  } catch (err) {
    // An SQL error carries an SQLSTATE code; anything else is the connection.
    return typeof (err as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code) ? 'refused' : 'unreachable';
  }
}

const formats = new WeakMap<HyperEngine, CopyFormat>();

/**
 * The format writes use on this engine: binary when its hyperd encodes the probe row exactly as we
 * do, CSV otherwise. A definite answer is kept for the engine's life; when hyperd cannot be asked
 * (it is restarting), this write uses CSV and the next one asks again.
 */
export async function copyFormatFor(engine: HyperEngine): Promise<CopyFormat> {
  const known = formats.get(engine);
  if (known) return known;
  const probe = await probeBinaryCopy(engine);
  const format: CopyFormat = probe === 'same' ? 'hyperbinary' : 'csv';
  if (probe !== 'unreachable') formats.set(engine, format);
  return format;
}

/**
 * Creates (or replaces) the `.hyper` file at `path` with the given tables and rows.
 *
 * Each table gets `CREATE SCHEMA` (once per schema) and `CREATE TABLE` with types from its column
 * definitions, then its rows through COPY. On failure or cancellation (checked between batches)
 * the partial file is removed.
 */
export async function writeHyperFile(
  engine: HyperEngine,
  path: string,
  tables: readonly HyperTableInput[],
  /** `format`: how rows travel; by default binary when this hyperd speaks it exactly (`copyFormatFor`). */
  opts: { signal?: AbortSignal; format?: CopyFormat } = {},
): Promise<WriteHyperResult> {
  if (opts.signal?.aborted) throw new CancelledError('Writing the Hyper file was cancelled.');
  const format = opts.format ?? (await copyFormatFor(engine));
  const client = await engine.connect();
  const alias = attachAlias();
  const db = quoteIdent(path);
  let attached = false;
  try {
    await rm(path, { force: true });
    await client.query(`CREATE DATABASE ${db}`);
    await client.query(`ATTACH DATABASE ${db} AS ${quoteIdent(alias)}`);
    attached = true;
    const schemas = new Set<string>();
    for (const { table } of tables) {
      if (!schemas.has(table.schema)) {
        schemas.add(table.schema);
        // "public" exists in every new database; other schemas (Tableau's "Extract") must be created.
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(alias)}.${quoteIdent(table.schema)}`);
      }
      await client.query(createTableSql(alias, table));
    }
    const rowCounts: number[] = [];
    for (const input of tables) rowCounts.push(await copyTable(client, alias, input, format, opts.signal));
    await client.query(`DETACH DATABASE ${quoteIdent(alias)}`);
    attached = false;
    const { size } = await stat(path);
    return { rowCounts, bytes: size };
  } catch (err) {
    if (attached) await client.query(`DETACH DATABASE ${quoteIdent(alias)}`).catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    // Bad input (TypeError/RangeError from the encoders) and cancellation keep their own types.
    throw err instanceof TypeError || err instanceof RangeError || err instanceof CancelledError ? err : toHyperError(err, `write of ${path}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
