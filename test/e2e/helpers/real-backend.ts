/**
 * The Backend the browser test drives: both emulators, the real core service (fresh settings,
 * secrets in memory) and the headless server serving the built renderer, all in this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../main/core/clock';
import { startIntacctEmulator } from '../../../main/emulators/intacct';
import { streamByName } from '../../../main/core/streams/definitions';
import { startTableauEmulator } from '../../../main/emulators/tableau';
import { createNodeFetch } from '../../../main/core/http/transport';
import { startServer } from '../../../main/core/server';
import { createConnectorService } from '../../../main/core/service/connector-service';
import { defaultFactories } from '../../../main/core/service/default-factories';
import { defaultSettings } from '../../../main/core/service/settings';
import { memorySecretStore, memorySettingsStore } from '../../../main/core/service/stores';
import type { StreamName } from '../../../shared/types';
import type { Backend } from './backend';

/** Intacct's `MM/DD/YYYY` date (intacct-xml.md §4.4) as `YYYY-MM-DD`, to compare with a setting. */
function isoDate(intacctDate: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(intacctDate);
  return m ? `${m[3]}-${m[1]}-${m[2]}` : '';
}

/** Starts everything; `close()` stops it all and removes the data folder. */
export async function startBackend(staticDir: string, opts: { demo?: boolean } = {}): Promise<Backend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ml-e2e-'));
  const stops: (() => Promise<unknown>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // A small sample company: the test is about the UI, the volume tests live elsewhere.
    const intacct = await startIntacctEmulator({ glRows: 400, seed: 7, latencyMs: 5 });
    stops.push(() => intacct.close());
    const tableau = await startTableauEmulator({ workDir: join(dataDir, 'tableau-emulator') });
    stops.push(() => tableau.close());
    const service = await createConnectorService({
      clock: systemClock,
      fetch: createNodeFetch(),
      secrets: memorySecretStore(),
      settings: memorySettingsStore(defaultSettings(systemClock.now())),
      dataDir: join(dataDir, 'service'),
      factories: defaultFactories({ projectRoot: process.cwd() }),
      ...(opts.demo ? { demo: true } : {}),
    });
    stops.push(() => service.shutdown());
    // As `serve` does, so Status shows the next scheduled run; `serve --demo` runs no scheduler.
    if (!opts.demo) service.startScheduler();
    let server = await startServer(service, { staticDir });
    let serverUp = true;
    stops.push(() => (serverUp ? server.close() : Promise.resolve()));
    const port = Number(new URL(server.url).port);
    const token = server.token;

    /**
     * What a full load of the stream reads under the saved settings, as a record predicate: its
     * GL book (GL detail reads one book; the setting overrides the definition's) and, for GL
     * detail, the days from the GL-detail start date (stream-sync.ts `streamReadSpec`).
     */
    const fullLoadFilter = async (stream: StreamName) => {
      const def = streamByName(stream);
      const settings = await service.getSettings();
      const book = def.filters.find((f) => f.field === 'BOOKID');
      const bookId = book ? settings.intacct.glBookId || book.value : null;
      const from = def.backfillDateColumn ? settings.streams.glDetailStartDate : '';
      const dateColumn = def.backfillDateColumn ? def.columns.find((c) => c.name === def.backfillDateColumn)?.source : undefined;
      if (!bookId && !from) return undefined;
      return (r: Record<string, string>) => (!bookId || r.BOOKID === bookId) && (!from || !dateColumn || isoDate(r[dateColumn] ?? '') >= from);
    };
    const datasourceOf = async (stream: StreamName) => {
      const def = streamByName(stream);
      const names = (await service.getSettings()).tableau.datasourceNames;
      return names[stream] || def.target.datasource;
    };
    return {
      url: server.url.endsWith('/') ? server.url : `${server.url}/`,
      token: server.token,
      intacct: { endpoint: intacct.url, ...intacct.credentials },
      tableau: { serverUrl: tableau.url, site: tableau.site, patName: tableau.patName, patSecret: tableau.patSecret },
      intacctRows: async (stream) => {
        const def = streamByName(stream);
        return intacct.company.count(def.intacctObject, await fullLoadFilter(stream));
      },
      intacctValues: async (stream, field) => {
        const values = new Map<string, string | null>();
        for (const r of intacct.company.list(streamByName(stream).intacctObject, await fullLoadFilter(stream)))
          values.set(String(r.RECORDNO), r[field] || null);
        return values;
      },
      tableauValues: async (stream, column) => {
        const rows = await tableau.readRows(await datasourceOf(stream));
        if (!rows?.length || !(column in rows[0]!)) return null;
        return new Map(rows.map((r) => [String(r.RECORDNO), r[column] ?? null]));
      },
      tableauColumns: async (stream) => (await tableau.datasourceColumns(await datasourceOf(stream))).map(({ name, type }) => ({ name, type })),
      editVendors: async (count) => {
        const recordNos = [...intacct.company.list('VENDOR')].slice(0, count).map((r) => Number(r.RECORDNO));
        for (const n of recordNos) intacct.company.edit('VENDOR', n, { NAME: `Renamed vendor ${n}` });
      },
      runs: (limit = 10) => service.listRuns({ limit }),
      setIntacctLatency: (ms) => intacct.setLatency(ms),
      // Requests the client gave up on before an answer (a cancelled sync) have status 0.
      // Every request Intacct received and ran, answered or not: a run cancelled while a request is
      // in flight counts it (the client counts a request as it goes out), as Intacct would have run it.
      intacctRequests: () => intacct.requests.filter((r) => r.status !== 0 || !r.fault).length,
      tableauRows: async (stream) => (await tableau.readRows(await datasourceOf(stream)))?.length ?? null,
      service,
      createTableauDatasource: async (name, project) => void (await tableau.createDatasource(name, project)),
      stopServer: async () => {
        serverUp = false;
        await server.close();
      },
      restartServer: async () => {
        server = await startServer(service, { staticDir, port, token });
        serverUp = true;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
