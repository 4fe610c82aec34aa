/**
 * The support bundle: versions, logs and recent runs as one zip (the Power BI gateway's "export
 * logs", anchors §8 item 5), with no secret in it. Settings hold no secrets by design; as a second line of
 * defence every file is scanned for each stored secret value and any occurrence is redacted.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import yazl from 'yazl';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import { secretNames, type Status } from '../../../shared/types';
import { secretValues } from './runtime';
import type { AboutSource } from './about';
import type { ServiceContext } from './service-context';

/** Files of the bundle: name → text. */
export type BundleFiles = Record<string, string>;

/**
 * The forms a secret takes in the bundle's text: as is, JSON-escaped once (a log message holding it,
 * written into log.json) and twice (an upstream JSON error echoing it, inside a logged message),
 * and XML-escaped (an Intacct or Tableau XML answer echoing it). Longest first, so a longer form
 * is replaced before the plain one inside it.
 */
export function secretForms(secret: string): string[] {
  const json1 = JSON.stringify(secret).slice(1, -1);
  const json2 = JSON.stringify(json1).slice(1, -1);
  const xml = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  const xmlQuot = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
  const forms = new Set([secret, json1, json2, xml, xmlQuot, JSON.stringify(xml).slice(1, -1)]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of each secret, in each of its escaped forms (and returns how many were found). */
export function redactSecrets(text: string, secrets: readonly string[]): { text: string; found: number } {
  let found = 0;
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue; // too short to tell from ordinary text; such secrets are rejected elsewhere
    for (const form of secretForms(s)) {
      const parts = out.split(form);
      found += parts.length - 1;
      out = parts.join('[redacted]');
    }
  }
  return { text: out, found };
}

/** Zips the files (deflated) after redaction; resolves with the zip bytes. */
export async function buildSupportZip(files: BundleFiles, secrets: readonly string[], mtime: Date): Promise<{ zip: Buffer; redactions: number }> {
  const zip = new yazl.ZipFile();
  let redactions = 0;
  for (const [name, content] of Object.entries(files)) {
    const r = redactSecrets(content, secrets);
    redactions += r.found;
    zip.addBuffer(Buffer.from(r.text, 'utf8'), name, { mtime });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return { zip: Buffer.concat(chunks), redactions };
}

const YEAR_2000 = Date.UTC(2000, 0, 1);
const YEAR_2100 = Date.UTC(2100, 0, 1);

/**
 * A copy of `value` where each time kept as epoch milliseconds (a key `at` or ending in `At`:
 * `startedAt`, `nextRunAt`…) gets a readable UTC twin beside it (`startedAtUtc:
 * "2026-12-03T17:00:00.000Z"`), so a person reading the bundle need not convert 1764781200000.
 */
export function withReadableTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withReadableTimes);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = withReadableTimes(v);
    if ((key === 'at' || key.endsWith('At')) && typeof v === 'number' && v >= YEAR_2000 && v < YEAR_2100) out[`${key}Utc`] = new Date(v).toISOString();
  }
  return out;
}

/** JSON for a bundle file: indented, with readable times. */
const bundleJson = (value: unknown) => JSON.stringify(withReadableTimes(value), null, 2);

/** Each log file goes into the support bundle up to its last 1 MiB (the newest lines). */
const BUNDLE_LOG_TAIL_BYTES = 1024 * 1024;

/** The last `max` bytes of a text file, or null when it cannot be read. */
function tailOf(path: string, max: number): string | null {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, 'r');
    try {
      const length = Math.min(size, max);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return (size > max ? `[… first ${size - max} bytes left out]\n` : '') + buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** The bundle as the contract's `exportSupportBundle` answers it: recent runs, the log, status, settings and log tails. */
export function createSupportBundle(
  ctx: ServiceContext,
  getStatus: () => Promise<Status>,
  about?: Pick<AboutSource, 'details'>,
): Pick<ConnectorApi, 'exportSupportBundle'> {
  const { deps, clock, store, log } = ctx;
  return {
    async exportSupportBundle() {
      const runs = store.listRuns(50);
      const now = clock.now();
      const details = about ? await about.details() : null;
      const files = {
        'README.txt':
          "ml-connector support bundle: the versions (about.json), recent runs (with per-stream results and tie-outs), the log, the status, the settings and the newest part of the app's and hyperd's log files. Times are epoch milliseconds with a UTC twin (startedAtUtc). It holds no password, token or secret.\n",
        // The app, OS, runtime and hyperd versions: the first thing support asks.
        'about.json': bundleJson({ ...(details ?? { version: null, hyperdVersion: null, os: null, runtime: null, dataDir: deps.dataDir }), createdAt: now }),
        'status.json': bundleJson(await getStatus()),
        'settings.json': JSON.stringify(deps.settings.get(), null, 2),
        'runs.json': bundleJson(runs.slice(0, 20).map((r) => store.getRun(r.runId) ?? r)),
        'log.json': bundleJson(store.queryLogs({ limit: 5000 })),
      } as Record<string, string>;
      // The host's own log (the desktop app's main process) and hyperd's, newest part of each.
      let hyperdLogs: string[] = [];
      try {
        hyperdLogs = readdirSync(join(deps.dataDir, 'logs'))
          .filter((f) => /\.log$/i.test(f))
          .map((f) => join(deps.dataDir, 'logs', f));
      } catch {
        // no hyperd logs yet
      }
      for (const path of [...(deps.supportLogFiles ?? []), ...hyperdLogs]) {
        const text = tailOf(path, BUNDLE_LOG_TAIL_BYTES);
        if (text !== null) files[`logs/${basename(path)}`] = text;
      }
      const { zip, redactions } = await buildSupportZip(files, await secretValues(deps.secrets, secretNames), new Date(now));
      if (redactions) log('warn', `Support bundle: ${redactions} secret occurrence(s) were redacted.`);
      return { fileName: `ml-connector-support-${new Date(now).toISOString().slice(0, 10)}.zip`, base64: zip.toString('base64') };
    },
  };
}
