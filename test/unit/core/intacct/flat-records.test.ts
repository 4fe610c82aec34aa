/**
 * The flat-record scanner gives exactly what fast-xml-parser gives for Intacct's flat records, and
 * refuses (null, so the full parser runs) every other shape.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { scanRecords, splitFlatData, type RecordBuilder } from '../../../../main/core/intacct/flat-records';
import { createIntacctXmlParser, parseResponse } from '../../../../main/core/intacct/response-parser';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import { parseQuery, runQuery } from '../../../../main/emulators/intacct/query-engine';
import { objectSpec } from '../../../../main/emulators/intacct/object-catalog';

const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 3000, bills: 200 });
const xmlArgs = new XMLParser({ isArray: (n) => n === 'field' || n === 'order' });

/** An emulator answer to `query` on `object` selecting `fields`, as a whole response document. */
function answer(object: string, fields: string[], pageSize = 500, offset = 0): string {
  const node = xmlArgs.parse(
    `<query><object>${object}</object><select>${fields.map((f) => `<field>${f}</field>`).join('')}</select>` +
      `<orderby><order><field>${object === 'AUDITHISTORY' ? 'ID' : 'RECORDNO'}</field></order></orderby><pagesize>${pageSize}</pagesize><offset>${offset}</offset></query>`,
  ).query as Record<string, unknown>;
  const ctx = { offsetMinutes: 0, auditHistoryPermitted: true };
  const data = runQuery(company, parseQuery(node, ctx), ctx).parts.join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control><operation>' +
    '<authentication><status>success</status><userid>u</userid><companyid>c</companyid></authentication>' +
    `<result><status>success</status><function>query</function><controlid>x</controlid>${data}</result></operation></response>`
  );
}

/** The records fast-xml-parser reads from the same answer (the client's parser, as before). */
function viaFullParser(xml: string): unknown[] {
  const doc = createIntacctXmlParser().parse(xml) as { response: { operation: { result: { data: Record<string, unknown> }[] } } };
  const data = doc.response.operation.result[0]!.data;
  return Object.entries(data)
    .filter(([k]) => !k.startsWith('@_') && k !== '#text')
    .flatMap(([, v]) => v as Record<string, string>[]);
}

const allFields = (object: string) => objectSpec(object)!.fields.map((f) => f.id);

describe('flat-record scanner', () => {
  for (const [object, fields] of [
    ['GLDETAIL', allFields('GLDETAIL')],
    ['VENDOR', allFields('VENDOR')],
    ['APBILL', [...allFields('APBILL'), 'VENDOR.NAME']],
    ['APBILLITEM', allFields('APBILLITEM')],
    ['AUDITHISTORY', allFields('AUDITHISTORY')],
  ] as const) {
    it(`reads ${object} pages exactly as fast-xml-parser does`, () => {
      for (const offset of [0, 500]) {
        const xml = answer(object, [...fields], 500, offset);
        const split = splitFlatData(xml);
        assert.ok(split, 'the fast path applies');
        assert.deepEqual(split.records, viaFullParser(xml));
        // And through the client's parser, records included.
        const result = parseResponse({ status: 200, body: xml }).results[0]!;
        assert.deepEqual(result.data?.records, viaFullParser(xml));
      }
    });
  }

  it('keeps values exactly: spaces, predefined entities, > in text, dotted names, empty elements', () => {
    const inner = '<R><A>  padded </A><B>x &lt;y&gt; &amp; &quot;z&quot; &apos;w&apos;</B><C>a > b</C><D.E>dot</D.E><F></F><G/></R>';
    assert.deepEqual(scanRecords(inner, 0, inner.length), [{ A: '  padded ', B: 'x <y> & "z" \'w\'', C: 'a > b', 'D.E': 'dot', F: '', G: '' }]);
    const xml = `<response><data count="1">${inner}</data></response>`;
    assert.deepEqual(splitFlatData(xml)?.records, viaFullParserSimple(xml));
    // Entities in records read by position: here and there, several in one value, none in between.
    const many = '<R><A>a</A><B>b</B></R><R><A>&lt;</A><B>&gt;x&amp;</B></R><R><A>x</A><B>y</B></R><R><A>p</A><B>&quot;q&apos;</B></R>';
    const split = splitFlatData(`<response><data count="4">${many}</data></response>`);
    assert.ok(split?.table);
    assert.deepEqual(split.table.rows, [
      ['a', 'b'],
      ['<', '>x&'],
      ['x', 'y'],
      ['p', '"q\''],
    ]);
  });

  it('gives the records by position when they share one layout, the same values as the objects', () => {
    const xml = answer('GLDETAIL', allFields('GLDETAIL'), 300);
    const split = splitFlatData(xml);
    assert.ok(split?.table, 'one layout: a table');
    assert.deepEqual(split.table.fields, allFields('GLDETAIL'));
    assert.equal(split.table.tag, 'GLDETAIL');
    assert.equal(split.count, 300);
    const full = viaFullParser(xml) as Record<string, string>[];
    assert.deepEqual(
      split.table.rows,
      full.map((r) => split.table!.fields.map((f) => r[f])),
    );
    // And through the client's parser: the table beside the records.
    const data = parseResponse({ status: 200, body: xml }).results[0]!.data!;
    assert.deepEqual(data.table?.rows, split.table.rows);
    assert.deepEqual(data.records, full);
  });

  it('with a builder, makes each record as it is read and keeps no values, the records still there on demand', () => {
    const xml = answer('GLDETAIL', allFields('GLDETAIL'), 300);
    const plain = splitFlatData(xml)!.table!;
    const layouts: (readonly string[])[] = [];
    // The builder gets a reused values array: what it returns must be its own copy.
    const build: RecordBuilder = (fields) => {
      layouts.push(fields);
      return (values) => values.join('|');
    };
    const data = parseResponse({ status: 200, body: xml }, { build }).results[0]!.data!;
    assert.deepEqual(layouts, [plain.fields], 'one layout, given once');
    assert.deepEqual(
      data.table?.built,
      plain.rows.map((r) => r.join('|')),
    );
    assert.deepEqual(data.table?.rows, []);
    assert.deepEqual(data.table?.last, plain.rows[plain.rows.length - 1]);
    assert.deepEqual(data.records, viaFullParser(xml));
    // A page of mixed layouts is read as objects, nothing built.
    const mixed = splitFlatData('<response><data count="0"><R><A>1</A></R><R><B>2</B></R></data></response>', build);
    assert.equal(mixed?.table, null);
    assert.deepEqual(mixed?.records, [{ A: '1' }, { B: '2' }]);
  });

  it('reads records of another layout one by one, as objects (no table)', () => {
    for (const inner of [
      '<R><A>1</A><B>2</B></R><R><B>3</B><A>4</A></R><R><A>5</A></R>',
      '<R><AB>1</AB></R><R><ABC>2</ABC></R>',
      '<R><A>1</A></R><R><A>2</A><B>3</B></R>',
      '<R><A>1</A></R><S><A>2</A></S>',
    ]) {
      const xml = `<response><data count="0">${inner}</data></response>`; // count marks a record list (checked later, by the parser)
      const split = splitFlatData(xml);
      assert.ok(split, inner);
      assert.equal(split.table, null, inner);
      assert.deepEqual(split.records, viaFullParserSimple(xml).flat(), inner);
      assert.deepEqual(scanRecords(inner, 0, inner.length), split.records, inner);
    }
    const same = '<R><A>1</A><B/></R>\n <R><A/><B>x &amp; y</B></R>';
    const table = splitFlatData(`<response><data count="2">${same}</data></response>`)?.table;
    assert.deepEqual(table, {
      tag: 'R',
      fields: ['A', 'B'],
      rows: [
        ['1', ''],
        ['', 'x & y'],
      ],
      built: null,
      last: ['', 'x & y'],
    });
  });

  it('refuses every other shape, so the full parser reads it', () => {
    for (const inner of [
      '<R><A><B>nested</B></A></R>',
      '<R><A x="1">attr</A></R>',
      '<R x="1"><A>attr on record</A></R>',
      '<R><!-- c --><A>1</A></R>',
      '<R><A><![CDATA[x]]></A></R>',
      '<R><A>&#65;</A></R>',
      '<R><A>&nbsp;</A></R>',
      '<R><A>1</A><A>2</A></R>',
      '<R><A>1</B></R>',
      '<R><A>1</A>',
      'text<R></R>',
      '<R><__proto__>x</__proto__></R>',
      // The same shapes in a record after the first, where the layout is checked by position.
      '<R><A>1</A></R><R><A><B>nested</B></A></R>',
      '<R><A>1</A></R><R><A x="1">attr</A></R>',
      '<R><A>1</A></R><R x="1"><A>attr on record</A></R>',
      '<R><A>1</A></R><R><A>&#65;</A></R>',
      '<R><A>1</A></R><R><A>1</B></R>',
      '<R><A>1</A></R><R><A>2</A>',
      '<R><A>1</A></R><R><A>2</A><A>3</A></R>',
      // A data element inside the records.
      '<R><data>1</data></R>',
      '<R><A>1</A></R><R><dataset>1</dataset></R>',
    ]) {
      assert.equal(scanRecords(inner, 0, inner.length), null, inner);
    }
    assert.equal(splitFlatData('<response><data/></response>'), null, 'self-closing data');
    assert.equal(splitFlatData('<response><data count="1"><R><A>1</A></R></data><data count="0"></data></response>'), null, 'two data elements');
    assert.equal(splitFlatData('<response><dataset><R></R></dataset></response>'), null, 'not a data element');
    assert.equal(splitFlatData('<response><data><userformatting><clock>24</clock></userformatting></data></response>'), null, 'not a record list (no count)');
  });
});

function viaFullParserSimple(xml: string): unknown[] {
  const doc = createIntacctXmlParser().parse(xml) as { response: { data: Record<string, unknown> } };
  return Object.entries(doc.response.data)
    .filter(([k]) => !k.startsWith('@_') && k !== '#text')
    .flatMap(([, v]) => (Array.isArray(v) ? v : [v]) as Record<string, string>[]);
}
