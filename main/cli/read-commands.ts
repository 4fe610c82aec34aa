/**
 * The CLI commands that only read the data folder (status, runs, test-connection, fields, estimate,
 * audit export): they open the service as a reader, so they never disturb a running sync or serve.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EXIT, UsageError } from './usage';
import { formatCount, formatDateTime, formatLogTime } from '../../shared/format';
import { freshnessText } from '../../shared/freshness';
import { out, err, streamList, openService } from './cli-context';

export async function cmdStatus(dataDir: string, json: boolean): Promise<number> {
  const service = await openService(dataDir);
  try {
    const s = await service.getStatus();
    if (json) {
      out(JSON.stringify(s));
      return EXIT.ok;
    }
    out(
      `State: ${s.state}${s.configured.intacct && s.configured.tableau ? '' : ` (configured: Intacct ${s.configured.intacct ? 'yes' : 'no'}, Tableau ${s.configured.tableau ? 'yes' : 'no'})`}`,
    );
    if (s.lastRun) out(`Last run: ${s.lastRun.runId} ${s.lastRun.outcome} at ${formatDateTime(s.lastRun.startedAt)}, ${formatCount(s.lastRun.rowsMoved)} rows`);
    if (s.lastError) out(`Last error: ${s.lastError.message}`);
    out(`Intacct API transactions this month: ${formatCount(s.apiTransactionsThisMonth)}`);
    // Each table under the label the window shows, with the stream card's freshness sentence (shared/freshness.ts).
    const width = Math.max(...s.streams.map((st) => st.label.length));
    const now = Date.now();
    for (const st of s.streams) {
      const rows = st.totalRowsInTableau == null ? '' : ` · ${formatCount(st.totalRowsInTableau)} records in Tableau`;
      out(`  ${st.label.padEnd(width)}  ${st.enabled ? 'on ' : 'off'}  ${freshnessText(st, now)}${rows}`);
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

export async function cmdRuns(dataDir: string, limit: number, json: boolean): Promise<number> {
  const service = await openService(dataDir);
  try {
    const runs = await service.listRuns({ limit });
    if (json) out(JSON.stringify(runs));
    else if (!runs.length) out('No runs yet.');
    else
      for (const r of runs)
        out(
          `${r.runId}  ${r.trigger.padEnd(8)} ${r.outcome.padEnd(9)} ${formatLogTime(r.startedAt)}  ${String(r.rowsMoved).padStart(8)} rows  ${r.error ? r.error.message : ''}`,
        );
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

export async function cmdTestConnection(dataDir: string, side: string | undefined): Promise<number> {
  const sides = side ? [side] : ['intacct', 'tableau'];
  if (sides.some((s) => s !== 'intacct' && s !== 'tableau')) throw new UsageError('test-connection takes intacct or tableau');
  const service = await openService(dataDir);
  try {
    let code: number = EXIT.ok;
    for (const s of sides as ('intacct' | 'tableau')[]) {
      const r = await service.testConnection({ side: s });
      out(`${s === 'intacct' ? 'Sage Intacct' : 'Tableau'}: ${r.ok ? 'OK' : 'FAILED'}`);
      for (const step of r.steps) out(`  ${step.ok ? '✓' : '✗'} ${step.name}: ${step.message}`);
      if (!r.ok) code = Math.max(code, r.steps.some((x) => x.name === 'Settings') ? EXIT.config : EXIT.connection);
    }
    return code;
  } finally {
    await service.shutdown();
  }
}

export async function cmdFields(dataDir: string, stream: string | undefined, json: boolean): Promise<number> {
  const [name] = streamList(stream, 'fields') ?? [];
  if (!name) throw new UsageError('Usage: fields <stream>, e.g. fields gl_detail');
  const service = await openService(dataDir);
  try {
    const fields = await service.listFields({ stream: name });
    if (json) out(JSON.stringify(fields));
    else {
      for (const f of fields) out(`${f.inStream ? '✓' : ' '} ${f.field.padEnd(28)} ${f.type.padEnd(9)} ${f.isCustom ? 'custom ' : '       '} ${f.label}`);
      out(`✓ = already a column. Add others under streams.extraFields.${name} in settings.json, e.g. [{"field": "GLDIMSALES_CHANNEL", "type": "text"}].`);
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

export async function cmdEstimate(dataDir: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const streams = streamList(values.streams as string | undefined, '--streams');
  const service = await openService(dataDir);
  try {
    const e = await service.estimateFullLoad(streams ? { streams } : undefined);
    if (values.json) out(JSON.stringify(e));
    else {
      const n = formatCount;
      for (const s of e.streams) out(`${s.label.padEnd(26)} ${n(s.rows).padStart(12)} records  ${n(s.apiTransactions).padStart(8)} API transactions`);
      out(`A full load uses about ${n(e.apiTransactions)} API transactions (counting used ${n(e.countingTransactions)}).`);
      out(`This month so far: ${n(e.usedThisMonth)} of ${n(e.monthlyAllowance)} included in Intacct's Tier 1 (more is billed).`);
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

export async function cmdAuditExport(dataDir: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const q = {
    ...(values.run ? { runId: String(values.run) } : {}),
    ...(values.stream ? { stream: streamList(String(values.stream), '--stream')![0]! } : {}),
    ...(values.key ? { recordKey: String(values.key) } : {}),
  };
  const service = await openService(dataDir);
  try {
    if (q.runId && !(await service.getRun({ runId: q.runId })))
      throw new UsageError(`No run "${q.runId}" in ${dataDir}. \`ml-connector runs\` lists the runs.`);
    // Streamed a page of rows at a time (the whole trail can be gigabytes), with backpressure.
    const { lines } = service.auditCsv(q);
    if (values.out) {
      await pipeline(Readable.from(lines), createWriteStream(String(values.out)));
      err(`Wrote ${String(values.out)}`);
    } else {
      for (const line of lines) if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once('drain', r));
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}
