/** The CLI's progress output (issue #14, CLI paragraph): bars sized to the terminal, rate and time left, no doubled lines when piped. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressPrinter } from '../../../main/cli/progress';
import type { StreamName, StreamProgress } from '../../../shared/types';

const LABELS: Record<string, string> = { gl_detail: 'GL detail', ap_payment_detail: 'AP payment-to-bill links', vendor: 'Vendors' };
const visible = (text: string) =>
  text
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n')
    .filter(Boolean);

function printer(tty: boolean, columns: number) {
  let now = 1_000_000;
  let written = '';
  const p = createProgressPrinter({ tty, columns: () => columns, now: () => now, write: (t) => (written += t), labelOf: (s) => LABELS[s] ?? s });
  return {
    p,
    advance: (ms: number) => (now += ms),
    take: () => {
      const w = written;
      written = '';
      return w;
    },
  };
}
const progress = (stream: string, phase: StreamProgress['phase'], rowsDone: number, rowsExpected: number | null): StreamProgress => ({
  stream: stream as StreamName,
  phase,
  rowsDone,
  rowsExpected,
});

describe('CLI progress on a terminal', () => {
  it('labels bars with table names and shows rows per second and the time left', () => {
    const t = printer(true, 120);
    t.p.progress(progress('gl_detail', 'reading', 0, 5000));
    t.advance(2000);
    t.p.progress(progress('gl_detail', 'reading', 1000, 5000));
    const last = visible(t.take()).at(-1)!;
    // 1,000 rows in 2 s = 500 rows/s; 4,000 to go = 8 s.
    assert.match(last, /^GL detail +\[#+-+\] reading · 1,000 \/ 5,000 · 500 rows\/s · 8 s left$/);
  });

  it('fits a 60-column terminal: every line shorter than the width, names and bars aligned', () => {
    const t = printer(true, 60);
    t.p.progress(progress('ap_payment_detail', 'done', 123_456, 123_456));
    t.p.progress(progress('gl_detail', 'reading', 0, 1_000_000));
    t.advance(10_000);
    t.p.progress(progress('gl_detail', 'reading', 120_000, 1_000_000));
    const lines = visible(t.take()).slice(-2);
    for (const line of lines) assert.ok(line.length < 60, `${line.length}: ${line}`);
    // The running stream comes first; the long label is shortened, not wrapped.
    assert.match(lines[0]!, /^GL detail +\[#+-+\] reading · 12% · 12,000 rows\/s · 1 min 13 s left$|^GL detail +\[#+-+\] reading · 12% · 1 min 13 s left$/);
    assert.match(lines[1]!, /^AP payment-to-b… \[#+\] done/);
    assert.equal(lines[0]!.indexOf('['), lines[1]!.indexOf('['));
  });

  it('prints a log line above the bars, then redraws them', () => {
    const t = printer(true, 80);
    t.p.progress(progress('vendor', 'reading', 10, null));
    t.take();
    t.p.log({ id: 0, at: 0, level: 'warn', message: 'Vendors: 2 records skipped' });
    const out = t.take();
    assert.ok(out.startsWith('\x1b[1A\x1b[0JWARN: Vendors: 2 records skipped\n'), JSON.stringify(out));
    assert.match(visible(out).at(-1)!, /^Vendors +\[/);
  });
});

describe('CLI progress when piped', () => {
  it('prints each log line once, leaves the run summary to the CLI, and a reading line at most every 30 s', () => {
    const t = printer(false, 80);
    t.p.log({ id: 0, at: 0, level: 'info', message: 'GL detail: full load from the start of history' });
    for (let i = 1; i <= 100; i++) {
      t.advance(1000);
      t.p.progress(progress('gl_detail', 'reading', i * 1000, 200_000));
    }
    t.p.progress(progress('gl_detail', 'writing', 100_000, 200_000));
    t.p.progress(progress('gl_detail', 'done', 100_000, 200_000));
    t.p.log({ id: 0, at: 0, level: 'info', message: 'GL detail: 100000 read, 100000 loaded, 0 deleted (full load)' });
    t.p.log({ id: 0, at: 0, level: 'info', message: 'Run succeeded: 100000 rows moved in 100 s, 51 Intacct API transactions' });
    t.p.log({ id: 0, at: 0, level: 'debug', message: 'page 7' });
    const lines = t.take().split('\n').filter(Boolean);
    assert.equal(lines.filter((l) => l.includes('reading 31,000 / 200,000 rows')).length, 1);
    assert.deepEqual(
      lines.map((l) => l.replace(/\d[\d,]*/g, 'N')),
      [
        'GL detail: full load from the start of history',
        'GL detail: reading N / N rows · N rows/s · N min N s left',
        'GL detail: reading N / N rows · N rows/s · N min N s left',
        'GL detail: reading N / N rows · N rows/s · N min N s left',
        'GL detail: N read, N loaded, N deleted (full load)',
      ],
    );
    assert.equal(new Set(lines).size, lines.length, 'no line twice');
  });
});
