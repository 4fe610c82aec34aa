/**
 * The README's finance model tables (issue 15: "their columns and meaning are documented in the
 * README, one table per model") say what the models really publish: each model's table, marked
 * `<!-- model-columns: <model> -->`, lists exactly the model's columns (main/core/models/
 * model-catalog.ts MODEL_SPECS) in order, with their types, a meaning for each, and its section names
 * the default data source and shows the model's chart (docs/screenshots/models-<model>.png, made by
 * `npm run charts`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { MODEL_SPECS } from '../../main/core/models/model-catalog';
import type { ColumnDef } from '../../main/core/streams/types';
import { MODEL_DATASOURCES, MODEL_NAMES } from '../../shared/models';

const README = readFileSync('README.md', 'utf8');
const MARKER = /<!-- model-columns: (\w+) -->/g;

/** How the README writes a column's type: Hyper's name, `numeric(p,s)`, and "not null". */
function typeText(c: ColumnDef): string {
  const t = c.type === 'numeric' ? `numeric(${c.precision ?? 18},${c.scale ?? 2})` : c.type;
  return c.nullable ? t : `${t} not null`;
}

/** The rows of the markdown table right after `<!-- model-columns: model -->`, as cells (header and rule skipped). */
function modelTable(readme: string, model: string): string[][] {
  const at = readme.indexOf(`<!-- model-columns: ${model} -->`);
  if (at < 0) return [];
  const lines = readme.slice(at).split('\n').slice(1);
  const rows: string[][] = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows.slice(2);
}

/** The README's text from the heading above a model's table to the next `### ` heading after it. */
function sectionOf(readme: string, model: string): string {
  const at = readme.indexOf(`<!-- model-columns: ${model} -->`);
  const start = readme.lastIndexOf('\n### ', at);
  const end = readme.indexOf('\n### ', at);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('README finance model tables', () => {
  it('has one table per model and none for anything else', () => {
    const marked = [...README.matchAll(MARKER)].map((m) => m[1]);
    assert.deepEqual([...marked].sort(), [...MODEL_NAMES].sort());
  });

  for (const model of MODEL_NAMES) {
    it(`lists ${model}'s columns in order, with their types and a meaning each`, () => {
      const rows = modelTable(README, model);
      const expected = MODEL_SPECS[model].columns.map((c) => [c.name, typeText(c)]);
      assert.deepEqual(
        rows.map((r) => [r[0], r[1]]),
        expected,
      );
      for (const r of rows) assert.ok(r.length === 3 && r[2]!.length > 0, `${model}.${r[0]} has no meaning in the README`);
    });

    it(`names ${model}'s default data source and shows its chart`, () => {
      const section = sectionOf(README, model);
      assert.ok(section.includes(`Default data source **${MODEL_DATASOURCES[model]}**`), `${model}: default data source not named`);
      const picture = `docs/screenshots/models-${model}.png`;
      assert.ok(section.includes(`](${picture})`), `${model}: chart not embedded`);
      assert.ok(existsSync(picture), `${picture} is missing: run npm run charts`);
    });
  }

  it('reads a table the way it is written (a missing or extra column fails)', () => {
    const doc = [
      '<!-- model-columns: x -->',
      '| column | type | meaning |',
      '|---|---|---|',
      '| A | text | a |',
      '| B | bigint not null | b |',
      '',
      '| C | date | c |',
    ].join('\n');
    assert.deepEqual(modelTable(doc, 'x'), [
      ['A', 'text', 'a'],
      ['B', 'bigint not null', 'b'],
    ]);
    assert.deepEqual(modelTable(doc, 'y'), []);
    assert.equal(typeText({ name: 'M', source: 'M', type: 'numeric', precision: 7, scale: 4, nullable: true }), 'numeric(7,4)');
  });
});
