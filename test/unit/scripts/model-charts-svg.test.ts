/**
 * The README's model charts (scripts/model-charts/): the SVG builder draws what it is given, and the
 * series builders sum the models' rows as the chart titles say.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chartSvg, escapeXml, formatTick, niceStep, truncate, valueRange, type Chart } from '../../../scripts/model-charts/svg';
import { apAgingChart, daysToPayChart, pnlChart } from '../../../scripts/model-charts/model-series';

const rects = (svg: string) =>
  [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#\w+)"\/>/g)].map((m) =>
    m.slice(1).map((v, i) => (i < 4 ? Number(v) : v)),
  );

describe('chartSvg', () => {
  const chart: Chart = {
    title: 'A & B <test>',
    unit: 'USD',
    categories: ['2025-01', '2025-02', '2025-03'],
    series: [
      { name: 'up', values: [10, 20, null], kind: 'bar' },
      { name: 'down', values: [-5, 5, 0], kind: 'bar' },
      { name: 'line', values: [1, null, 3], kind: 'line' },
    ],
    stacked: true,
  };

  it('stacks bars per category: heights proportional to the values, negatives below zero', () => {
    const svg = chartSvg(chart);
    const bars = rects(svg);
    // null and 0 draw nothing.
    assert.equal(bars.length, 4);
    // Drawn series by series: up's 10 and 20, then down's −5 and 5.
    type Bar = [number, number, number, number, string];
    const [a, c, b, d] = bars as unknown as [Bar, Bar, Bar, Bar];
    assert.ok(Math.abs(c[3] / a[3] - 2) < 0.02, 'the 20 bar is twice the 10 bar');
    assert.ok(Math.abs(a[3] / b[3] - 2) < 0.02, 'the −5 bar is half the 10 bar');
    assert.ok(b[1] >= a[1] + a[3] - 0.1, 'the negative bar starts where the positive one ends (at zero)');
    assert.ok(Math.abs(d[1] + d[3] - c[1]) < 0.2, 'the 5 stacks on top of the 20');
    assert.notEqual(a[4], b[4], 'two series, two colours');
    assert.equal(a[4], c[4], 'one series, one colour');
  });

  it('breaks a line at a missing value and escapes text', () => {
    const svg = chartSvg(chart);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
    assert.ok(svg.includes('A &amp; B &lt;test&gt;'));
    assert.ok(!svg.includes('<test>'));
  });

  it('refuses a series whose length does not match the categories', () => {
    assert.throws(() => chartSvg({ ...chart, series: [{ name: 'x', values: [1], kind: 'bar' }] }), RangeError);
  });

  it('sizes the axis to every stack and point, with round steps and short labels', () => {
    assert.deepEqual(valueRange(chart), [-5, 25]);
    assert.deepEqual(valueRange({ ...chart, stacked: false }), [-5, 20]);
    assert.equal(niceStep(30), 10);
    assert.equal(niceStep(7_300_000), 2_000_000);
    assert.equal(formatTick(-2_500_000), '-2.5M');
    assert.equal(formatTick(12_345), '12k');
    assert.equal(formatTick(1_500), '1.5k');
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(escapeXml('"x"'), '&quot;x&quot;');
  });
});

describe('model series', () => {
  it('P&L: sums NET_INCOME and YTD_NET_INCOME per month in one base currency', () => {
    const rows = [
      { BASECURR: 'USD', PERIOD: '2025-01-01', NET_INCOME: '10.50', YTD_NET_INCOME: '10.50' },
      { BASECURR: 'USD', PERIOD: '2025-01-01', NET_INCOME: '-0.50', YTD_NET_INCOME: '-0.50' },
      { BASECURR: 'USD', PERIOD: '2025-02-01', NET_INCOME: '5.00', YTD_NET_INCOME: '15.00' },
      { BASECURR: 'CAD', PERIOD: '2025-02-01', NET_INCOME: '999.00', YTD_NET_INCOME: '999.00' },
    ];
    const c = pnlChart(rows, 'USD');
    assert.deepEqual(c.categories, ['2025-01', '2025-02']);
    assert.deepEqual(c.series[0]!.values, [10, 5]);
    assert.deepEqual(c.series[1]!.values, [10, 15]);
  });

  it('AP aging: Σ TOTALDUE per bucket and snapshot, buckets in aging order', () => {
    const rows = [
      { BASECURR: 'USD', SNAPSHOT_DATE: '2026-02-01', AGING_BUCKET: 'over 90', TOTALDUE: '3.00' },
      { BASECURR: 'USD', SNAPSHOT_DATE: '2026-01-01', AGING_BUCKET: '1-30', TOTALDUE: '2.00' },
      { BASECURR: 'USD', SNAPSHOT_DATE: '2026-01-01', AGING_BUCKET: '1-30', TOTALDUE: '-1.00' },
    ];
    const c = apAgingChart(rows, 'USD');
    assert.deepEqual(c.categories, ['2026-01-01', '2026-02-01']);
    assert.deepEqual(
      c.series.map((s) => [s.name, s.values]),
      [
        ['1-30', [1, 0]],
        ['over 90', [0, 3]],
      ],
    );
  });

  it('days to pay: one count per settled bill (its first payment row), binned, by timing', () => {
    const rows = [
      { PAYMENT_SEQ: 1, BILL_DAYS_TO_PAY: 3, BILL_TIMING: 'early' },
      { PAYMENT_SEQ: 2, BILL_DAYS_TO_PAY: 3, BILL_TIMING: 'early' },
      { PAYMENT_SEQ: 1, BILL_DAYS_TO_PAY: 25, BILL_TIMING: 'late' },
      { PAYMENT_SEQ: null, BILL_DAYS_TO_PAY: null, BILL_TIMING: null },
    ];
    const c = daysToPayChart(rows, 10);
    assert.deepEqual(c.categories, ['0–9', '10–19', '20–29']);
    assert.deepEqual(
      c.series.map((s) => [s.name, s.values]),
      [
        ['early', [1, 0, 0]],
        ['late', [0, 0, 1]],
      ],
    );
  });
});
