/**
 * Test helpers for the Tableau emulator tests: raw multipart bodies, sign-in, and payload `.hyper`
 * files built with hyperd through the emulator's own engine.
 */
import { readFile } from 'node:fs/promises';
import type { TableauEmulator } from '../../../../main/emulators/tableau';
import type { HyperEngine } from '../../../../main/core/hyper';

export const API = '3.25';

/** A multipart/mixed body the way Tableau's clients build it (tableau-rest.md §3). */
export function multipartBody(
  parts: { name: string; filename?: string; contentType: string; data: Buffer | string; formData?: boolean }[],
  boundary: string,
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `${p.formData === false ? '' : 'form-data; '}name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\nContent-Type: ${p.contentType}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Signs in with the emulator's PAT; returns the token and site id. */
export async function signIn(emu: TableauEmulator, secret = emu.patSecret): Promise<{ status: number; token: string; siteId: string; body: string }> {
  const res = await fetch(`${emu.url}/api/${API}/auth/signin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml' },
    body: `<tsRequest><credentials personalAccessTokenName="${emu.patName}" personalAccessTokenSecret="${secret}"><site contentUrl="${emu.site}"/></credentials></tsRequest>`,
  });
  const body = await res.text();
  return { status: res.status, token: /token="([^"]+)"/.exec(body)?.[1] ?? '', siteId: /<site id="([^"]+)"/.exec(body)?.[1] ?? '', body };
}

/** fetch against the site's API with the token. */
export function api(emu: TableauEmulator, token: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${emu.url}/api/${API}/sites/${emu.siteId}/${path}`, {
    ...init,
    headers: { 'X-Tableau-Auth': token, ...(init.headers as Record<string, string> | undefined) },
  });
}

/** Builds a `.hyper` file with the given tables through hyperd (literal SQL: hyperd rejects $n). */
export async function buildHyper(
  engine: HyperEngine,
  path: string,
  tables: { schema: string; name: string; columns: string; rows: string[] }[],
): Promise<Buffer> {
  await engine.withClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${path}"`);
    await c.query(`CREATE DATABASE "${path}"`);
    await c.query(`ATTACH DATABASE "${path}" AS payload`);
    try {
      const schemas = new Set(tables.map((t) => t.schema));
      for (const s of schemas) if (s !== 'public') await c.query(`CREATE SCHEMA payload."${s}"`);
      for (const t of tables) {
        await c.query(`CREATE TABLE payload."${t.schema}"."${t.name}" (${t.columns})`);
        for (const r of t.rows) await c.query(`INSERT INTO payload."${t.schema}"."${t.name}" VALUES ${r}`);
      }
    } finally {
      await c.query('DETACH DATABASE payload');
    }
  });
  return readFile(path);
}

/** Polls a job until it has finished (`completedAt`, TSC's rule); returns every progress seen and the final XML. */
export async function pollJob(emu: TableauEmulator, token: string, jobId: string, max = 20): Promise<{ progress: number[]; finishCode: number; xml: string }> {
  const progress: number[] = [];
  for (let i = 0; i < max; i += 1) {
    const res = await api(emu, token, `jobs/${jobId}`);
    const xml = await res.text();
    progress.push(Number(/progress="(\d+)"/.exec(xml)?.[1]));
    const fc = /finishCode="(\d)"/.exec(xml)?.[1];
    if (/completedAt="/.test(xml)) return { progress, finishCode: Number(fc), xml };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** The id attribute of the first `<tag …>` in `xml`. */
export function idOf(xml: string, tag: string): string {
  const m = new RegExp(`<${tag} [^>]*\\bid="([^"]+)"`).exec(xml);
  if (!m?.[1]) throw new Error(`no <${tag} id> in ${xml}`);
  return m[1];
}
