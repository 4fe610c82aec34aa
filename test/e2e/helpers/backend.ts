/**
 * What the browser test runs against: the service, its HTTP server with the built renderer, and
 * the values the user types into Settings to reach the emulators.
 */
import type { RunSummary, StreamName } from '../../../shared/types';
import type { ConnectorService } from '../../../main/core/service/connector-service';

export interface Backend {
  /** Origin of the served renderer, ending in '/'. */
  url: string;
  token: string;
  intacct: { endpoint: string; senderId: string; senderPassword: string; companyId: string; userId: string; userPassword: string };
  tableau: { serverUrl: string; site: string; patName: string; patSecret: string };
  /**
   * Rows the Intacct side holds for a stream that a full load reads under the saved settings (what a
   * first full load moves): GL detail counts its book only, from the GL-detail start date.
   */
  intacctRows(stream: StreamName): Promise<number>;
  /** Rows the Tableau side holds for the stream's data source after a load (null if absent). */
  tableauRows(stream: StreamName): Promise<number | null>;
  /**
   * One field of every record Intacct holds for a stream (what a full load reads), by RECORDNO;
   * an empty value is null, as the connector loads it.
   */
  intacctValues(stream: StreamName, field: string): Promise<Map<string, string | null>>;
  /** One column of every row of the stream's data source, by RECORDNO (null if the data source or column is absent). */
  tableauValues(stream: StreamName, column: string): Promise<Map<string, string | number | boolean | null> | null>;
  /** The columns of the stream's data source, with their Hyper types. */
  tableauColumns(stream: StreamName): Promise<{ name: string; type: string }[]>;
  /** Requests the Intacct emulator has answered so far: each is one API transaction, as the connector counts them. */
  intacctRequests(): number;
  /** The newest runs (10 unless told), newest first. */
  runs(limit?: number): Promise<RunSummary[]>;
  /** Changes the names of the first `count` vendors in Intacct (moving their WHENMODIFIED). */
  editVendors(count: number): Promise<void>;
  /** Delay of every Intacct answer (to make a run last long enough to cancel). */
  setIntacctLatency(ms: number): void;
  /** The core service itself (to set up a state quickly, without clicking through Settings). */
  service: ConnectorService;
  /** Adds a refreshable (upstream-connected) data source to the Tableau site, e.g. a dependent one. */
  createTableauDatasource(name: string, project: string): Promise<void>;
  /** Stops the headless server (the page loses the service); `restartServer` brings it back on the same port and token. */
  stopServer(): Promise<void>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}
