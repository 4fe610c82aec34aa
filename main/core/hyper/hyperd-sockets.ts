/**
 * The sockets around a hyperd: the callback connection it reports its endpoint on, and the pg
 * clients that talk to it (hyper-engine.ts explains the protocol and why the socket folder is 0700).
 */
import type { ChildProcess } from 'node:child_process';
import type net from 'node:net';
import pg from 'pg';
import { HYPER_USER, type PgTarget } from './hyperd-command';
import { hyperTypeParsers } from './hyper-types';

/** Accepts hyperd's callback connection and reads `[len][descriptor]`. */
export function readCallback(server: net.Server): Promise<{ socket: net.Socket; descriptor: string }> {
  return new Promise((resolve, reject) => {
    server.once('connection', (socket) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const len = buf[0];
        if (len !== undefined && buf.length >= 1 + len) {
          socket.removeListener('data', onData);
          resolve({ socket, descriptor: buf.subarray(1, 1 + len).toString('utf8') });
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('end', () => reject(new Error('hyperd closed the callback connection before reporting its port')));
    });
  });
}

export async function openClient(target: PgTarget, password: string): Promise<pg.Client> {
  // A host starting with "/" is a folder: pg connects to <host>/.s.PGSQL.<port>.
  const client = new pg.Client({ host: target.host, port: target.port, user: HYPER_USER, password, types: hyperTypeParsers });
  // An idle client whose hyperd dies emits 'error'; unhandled, that would crash the app. Pending
  // queries still reject with the error, which is where callers see it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/** Resolves once the child's stdio closed, or after `ms` (a grandchild could hold a pipe open). */
export function closedOrAfter(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
