import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildRequest, escapeXml, getApiSessionFunction, lookupFunction } from '../../../../main/core/intacct/request-envelope';
import { buildQuery, f, renderFilter } from '../../../../main/core/intacct/query-builder';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
type Node = Record<string, unknown>;

const hostile = 'Smith & <Sons> "Ltd" \'x\' ]]> </value></equalto><injected/>';

describe('escapeXml', () => {
  it('escapes the five XML specials and drops forbidden control characters', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    assert.equal(escapeXml('tab\tok\u0001gone'), 'tab\tokgone');
    assert.equal(escapeXml('plain'), 'plain');
  });
});

describe('buildRequest', () => {
  it('builds a login request whose values survive a round trip, however hostile', () => {
    const xml = buildRequest({
      senderId: hostile,
      senderPassword: 'p&<w>',
      controlId: 'ctl"1',
      auth: { kind: 'login', userId: hostile, companyId: 'ACME & Co', password: '"pw"<', locationId: 'E<1>' },
      functions: [{ controlId: 'fn"&<', body: getApiSessionFunction() }],
    });
    assert.equal(XMLValidator.validate(xml), true);
    const doc = parser.parse(xml) as Node;
    const req = doc['request'] as Node;
    const ctl = req['control'] as Node;
    assert.equal(ctl['senderid'], hostile);
    assert.equal(ctl['password'], 'p&<w>');
    assert.equal(ctl['controlid'], 'ctl"1');
    assert.equal(ctl['uniqueid'], 'false');
    assert.equal(ctl['dtdversion'], '3.0');
    assert.equal(ctl['includewhitespace'], 'false');
    const op = req['operation'] as Node;
    const login = (op['authentication'] as Node)['login'] as Node;
    assert.deepEqual(login, { userid: hostile, companyid: 'ACME & Co', password: '"pw"<', locationid: 'E<1>' });
    const fn = (op['content'] as Node)['function'] as Node;
    assert.equal(fn['@_controlid'], 'fn"&<');
    assert.equal(fn['getAPISession'], '');
    assert.equal(xml.includes('<injected/>'), false);
  });

  it('uses a sessionid instead of a login and omits an absent locationid', () => {
    const xml = buildRequest({
      senderId: 's',
      senderPassword: 'p',
      controlId: 'c',
      auth: { kind: 'session', sessionId: 'abc&def' },
      functions: [
        { controlId: 'f1', body: lookupFunction('GLDETAIL') },
        { controlId: 'f2', body: lookupFunction('VENDOR') },
      ],
    });
    const op = (parser.parse(xml) as Node)['request'] as Node;
    const auth = (op['operation'] as Node)['authentication'] as Node;
    assert.deepEqual(auth, { sessionid: 'abc&def' });
    const fns = ((op['operation'] as Node)['content'] as Node)['function'] as Node[];
    assert.equal(fns.length, 2);
    assert.deepEqual(
      fns.map((x) => x['@_controlid']),
      ['f1', 'f2'],
    );
    const login = buildRequest({
      senderId: 's',
      senderPassword: 'p',
      controlId: 'c',
      auth: { kind: 'login', userId: 'u', companyId: 'c', password: 'p' },
      functions: [{ controlId: 'f', body: '<getAPISession/>' }],
    });
    assert.equal(login.includes('locationid'), false);
  });

  it('refuses getAPISession next to other functions, and an empty request', () => {
    assert.throws(
      () =>
        buildRequest({
          senderId: 's',
          senderPassword: 'p',
          controlId: 'c',
          auth: { kind: 'session', sessionId: 'x' },
          functions: [
            { controlId: 'a', body: getApiSessionFunction() },
            { controlId: 'b', body: lookupFunction('X') },
          ],
        }),
      /only function/,
    );
    assert.throws(() => buildRequest({ senderId: 's', senderPassword: 'p', controlId: 'c', auth: { kind: 'session', sessionId: 'x' }, functions: [] }));
  });
});

describe('buildQuery', () => {
  it('renders select, nested and/or filters, orderby, options, pagesize and offset', () => {
    const xml = buildQuery({
      object: 'GLDETAIL',
      fields: ['RECORDNO', 'WHENMODIFIED', { fn: 'count', field: 'RECORDNO' }],
      filter: f.and(
        f.eq('BOOKID', 'ACCRUAL'),
        f.or(f.gt('WHENMODIFIED', '05/01/2024 00:00:00'), f.and(f.eq('WHENMODIFIED', '05/01/2024 00:00:00'), f.gt('RECORDNO', '10'))),
        f.between('BATCH_DATE', '01/01/2024', '12/31/2024'),
        f.in('DEPARTMENTID', ['D1', 'D2']),
        f.isNull('VENDORID'),
      ),
      orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO', descending: true }],
      showPrivate: true,
      pageSize: 2000,
      offset: 0,
    });
    assert.equal(XMLValidator.validate(xml), true);
    const q = (parser.parse(xml) as Node)['query'] as Node;
    assert.equal(q['object'], 'GLDETAIL');
    assert.deepEqual((q['select'] as Node)['field'], ['RECORDNO', 'WHENMODIFIED']);
    assert.deepEqual((q['select'] as Node)['count'], { field: 'RECORDNO' });
    const and = (q['filter'] as Node)['and'] as Node;
    assert.deepEqual(and['equalto'], { field: 'BOOKID', value: 'ACCRUAL' });
    assert.deepEqual(and['between'], { field: 'BATCH_DATE', value: ['01/01/2024', '12/31/2024'] });
    assert.deepEqual(and['in'], { field: 'DEPARTMENTID', value: ['D1', 'D2'] });
    assert.deepEqual(and['isnull'], { field: 'VENDORID' });
    const or = and['or'] as Node;
    assert.deepEqual(or['greaterthan'], { field: 'WHENMODIFIED', value: '05/01/2024 00:00:00' });
    assert.deepEqual((or['and'] as Node)['greaterthan'], { field: 'RECORDNO', value: '10' });
    assert.deepEqual((q['orderby'] as Node)['order'], [
      { field: 'WHENMODIFIED', ascending: '' },
      { field: 'RECORDNO', descending: '' },
    ]);
    assert.deepEqual(q['options'], { showprivate: 'true' });
    assert.equal(q['pagesize'], '2000');
    assert.equal(q['offset'], '0');
  });

  it('keeps a quoted, angle-bracketed filter value inside its <value> element', () => {
    const xml = buildQuery({ object: 'VENDOR', fields: ['NAME'], filter: f.eq('NAME', hostile), pageSize: 1 });
    assert.equal(XMLValidator.validate(xml), true);
    const q = (parser.parse(xml) as Node)['query'] as Node;
    assert.deepEqual((q['filter'] as Node)['equalto'], { field: 'NAME', value: hostile });
    assert.equal(xml.includes('<injected/>'), false);
  });

  it('collapses single-child and/or and drops empty ones (Intacct needs two children)', () => {
    assert.equal(f.and(null, f.eq('A', '1')) && renderFilter(f.and(null, f.eq('A', '1'))!), '<equalto><field>A</field><value>1</value></equalto>');
    assert.equal(f.or(), null);
  });

  it('rejects what Intacct would reject: no fields, pagesize over 2000, an in-list over 1000', () => {
    assert.throws(() => buildQuery({ object: 'X', fields: [] }));
    assert.throws(() => buildQuery({ object: 'X', fields: ['A'], pageSize: 2001 }));
    assert.throws(() =>
      renderFilter(
        f.in(
          'A',
          Array.from({ length: 1001 }, (_, i) => String(i)),
        ),
      ),
    );
  });
});
