/**
 * Contract test (issue #2 acceptance 2): every real Intacct response sample in
 * test/fixtures/intacct/ (from the official JS SDK's test suite, see SOURCE.md) is parsed, and each
 * gives the outcome or typed error stated here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseResponse, resultOrThrow, type ParsedResponse } from '../../../../main/core/intacct/response-parser';
import { IntacctAuthError, IntacctError } from '../../../../main/core/intacct/intacct-errors';
import { AuthError, ConnectorError, NetworkError } from '../../../../main/core/errors';

const dir = join(process.cwd(), 'test/fixtures/intacct');

type Expectation =
  | { ok: (p: ParsedResponse) => void; status?: number }
  | { error: { cls: new (...a: never[]) => Error; code: string; level?: string; retryable: boolean; errorno?: string }; controlId?: string; status?: number };

const session =
  (id: string, endpoint: string, location = '') =>
  (p: ParsedResponse) => {
    const r = resultOrThrow(p);
    assert.equal(r.functionName === 'getAPISession' || r.functionName === 'getSession', true);
    assert.deepEqual(r.data?.records[0], { sessionid: id, endpoint, locationid: location });
    assert.equal(p.authentication?.status, 'success');
    assert.ok(p.authentication?.sessionTimeout);
  };
const malformed = { error: { cls: NetworkError, code: 'MALFORMED_RESPONSE', retryable: true } } as const;
const notFound = { error: { cls: IntacctError, code: 'OBJECT_NOT_FOUND', level: 'result', retryable: false } } as const;

const expectations: Record<string, Expectation> = {
  'AuthenticationTest--should-set-status-from-acknowledgement.xml': { ok: session('faKEsesSiOnId..', 'https://api.intacct.com/ia/xml/xmlgw.phtml') },
  // The three "missing element" samples also carry an empty <result/>: a result without a status.
  'AuthenticationTest--should-throw-exception-when-companyid-is-not-included.xml': malformed,
  'AuthenticationTest--should-throw-exception-when-status-is-not-included.xml': malformed,
  'AuthenticationTest--should-throw-exception-when-userid-is-not-included.xml': malformed,
  'ControlTest--should-set-status-from-acknowledgement.xml': {
    ok: (p) => {
      assert.equal(p.control.status, 'success');
      assert.equal(p.authentication, null);
      assert.deepEqual(p.results, []);
    },
  },
  'ControlTest--should-throw-exception-when-status-is-not-included.xml': malformed,
  // Offline (asynchronous) acknowledgements: the connector never uses the async path, so only the
  // control block matters; the acknowledgement element is ignored either way.
  'OfflineClientTest--should-execute-a-request.xml': { ok: (p) => assert.equal(p.control.status, 'success') },
  'OfflineResponseTest--should-parse-response-and-verify-acknowledgement-is-success.xml': { ok: (p) => assert.equal(p.control.controlId, 'ControlIdHere') },
  'OfflineResponseTest--should-throw-exception-with-missing-acknowledgement-block.xml': { ok: (p) => assert.deepEqual(p.results, []) },
  'OnlineClientTest--should-execute-a-batch-transaction-request-and-return-result.xml': {
    ok: (p) => {
      assert.deepEqual(
        p.results.map((r) => r.status),
        ['aborted', 'failure'],
      );
      assert.throws(
        () => resultOrThrow(p, 'func1UnitTest'),
        (e: unknown) => e instanceof IntacctError && e.code === 'TRANSACTION_ABORTED' && e.errorno === 'XL03000009',
      );
      // The real cause wins over the rollback notice.
      assert.throws(
        () => resultOrThrow(p, 'func2UnitTest'),
        (e: unknown) => e instanceof IntacctError && e.code === 'FUNCTION_FAILED' && e.errorno === 'Get API Session Failed' && e.errors.length === 2,
      );
    },
  },
  'OnlineClientTest--should-execute-a-request-and-return-resultexception.xml': {
    error: { cls: IntacctError, code: 'FUNCTION_FAILED', level: 'result', retryable: false, errorno: 'Get API Session Failed' },
    controlId: 'func1UnitTest',
  },
  'OnlineClientTest--should-execute-a-request.xml': { ok: session('unittest..', 'https://unittest.intacct.com/ia/xml/xmlgw.phtml') },
  'OnlineClientTest--should-log-the-request-and-response.xml': {
    ok: (p) => {
      const r = resultOrThrow(p, 'func1UnitTest');
      assert.deepEqual(r.data?.records, [{ CUSTOMERID: 'C0001', NAME: 'Intacct Corporation' }]);
      assert.equal(r.data?.totalCount, 1);
      assert.equal(r.data?.numRemaining, 0);
    },
  },
  'OnlineResponseTest--should-parse-response-and-verify-acknowledgement-is-success.xml': {
    ok: session('fAkESesSiOnId..', 'https://api.intacct.com/ia/xml/xmlgw.phtml'),
  },
  'OnlineResponseTest--should-throw-exception-with-authentication-failure.xml': {
    error: { cls: IntacctAuthError, code: 'LOGIN_INVALID', level: 'authentication', retryable: false, errorno: 'XL03000006' },
  },
  'OnlineResponseTest--should-throw-exception-with-missing-authentication-block.xml': malformed,
  'OnlineResponseTest--should-throw-exception-with-missing-result-block.xml': { error: { cls: NetworkError, code: 'MISSING_RESULT', retryable: true } },
  // A failed control block with empty senderid/controlid (NET-SDK #215): must not trip the parser.
  'OnlineResponseTest--should-throw-response-exception-with-errors.xml': {
    error: { cls: IntacctError, code: 'COMPANY_UNAVAILABLE', level: 'control', retryable: false, errorno: 'PL04000055' },
  },
  'RequestHandlerTest--should-return-an-onlineresponse-after-a-retry.xml': { ok: session('unittest..', 'https://unittest.intacct.com/ia/xml/xmlgw.phtml') },
  // Served by Intacct with HTTP 401 (JS-SDK RequestHandlerTest): parsed like any XML answer.
  'RequestHandlerTest--should-throw-exception-for-400-level-error-with-xml-response.xml': {
    status: 401,
    error: { cls: IntacctAuthError, code: 'LOGIN_INVALID', level: 'gateway', retryable: false, errorno: 'XMLGW_JPP0002' },
  },
  'ResultTest--should-parse-get-list-class-response.xml': {
    ok: (p) => {
      const r = resultOrThrow(p);
      assert.equal(r.functionName, 'get_list');
      assert.deepEqual(
        r.data?.records.map((x) => x['key']),
        ['C1234', 'C1235'],
      );
      assert.equal(r.data?.records[0]?.['description'], '');
    },
  },
  'ResultTest--should-parse-legacy-create-class-key-response.xml': {
    ok: (p) => {
      const r = resultOrThrow(p);
      assert.equal(r.raw['key'], 'C1234');
      assert.equal(r.data, null);
    },
  },
  'ResultTest--should-parse-readbyquery-response-with-multiple-records.xml': {
    ok: (p) => {
      const d = resultOrThrow(p).data!;
      assert.deepEqual([d.count, d.totalCount, d.numRemaining, d.resultId, d.listType], [2, 3, 1, 'myResultId', 'class']);
      assert.deepEqual(
        d.records.map((x) => x['RECORDNO']),
        ['8', '9'],
      );
      assert.equal(d.records[0]?.['WHENMODIFIED'], '07/24/2017 15:19:46');
    },
  },
  'ResultTest--should-parse-readbyquery-response.xml': {
    ok: (p) => {
      const d = resultOrThrow(p).data!;
      // One record still comes back as an array of one (stable shape).
      assert.equal(Array.isArray(d.records), true);
      assert.equal(d.records.length, 1);
      assert.equal(d.records[0]?.['CLASSID'], 'C1234');
      assert.equal(d.records[0]?.['DESCRIPTION'], '');
    },
  },
  'ResultTest--should-return-failure-status-and-errors.xml': notFound,
  'ResultTest--should-return-success-status.xml': {
    ok: (p) => {
      const d = resultOrThrow(p, 'testControlId').data!;
      assert.deepEqual([d.count, d.totalCount, d.records.length], [0, 0, 0]);
    },
  },
  // The SDK insists on controlid/function in a result; we only need them to match several
  // functions, so a lone result without them is accepted (we always send one function).
  'ResultTest--should-throw-error-for-missing-controlid-element.xml': { ok: (p) => assert.equal(resultOrThrow(p, 'whatever').controlId, '') },
  'ResultTest--should-throw-error-for-missing-function-element.xml': { ok: (p) => assert.equal(resultOrThrow(p, 'testControlId').functionName, '') },
  'ResultTest--should-throw-error-for-missing-status-element.xml': malformed,
  'ResultTest--should-throw-error-for-result-status-as-aborted.xml': {
    error: { cls: IntacctError, code: 'OBJECT_NOT_FOUND', level: 'result', retryable: false, errorno: 'Query Failed' },
  },
  'ResultTest--should-throw-error-for-result-status-as-failure.xml': {
    error: { cls: IntacctError, code: 'OBJECT_NOT_FOUND', level: 'result', retryable: false, errorno: 'XXX' },
  },
  'SessionProviderTest--should-execute-from-login-credentials-with-entity.xml': {
    ok: session('fAkESesSiOnId..', 'https://unittest.intacct.com/ia/xml/xmlgw.phtml', 'testentity'),
  },
  'SessionProviderTest--should-execute-from-login-credentials.xml': { ok: session('fAkESesSiOnId..', 'https://unittest.intacct.com/ia/xml/xmlgw.phtml') },
  'SessionProviderTest--should-execute-from-private-entity-session-credentials-with-.xml': {
    ok: session('EntityBSession..', 'https://unittest.intacct.com/ia/xml/xmlgw.phtml', 'entityB'),
  },
  'SessionProviderTest--should-execute-from-top-level-session-credentials-with-entit.xml': {
    ok: session('fAkESesSiOnId..', 'https://unittest.intacct.com/ia/xml/xmlgw.phtml', 'testentity'),
  },
};

describe('real Intacct response fixtures', () => {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.xml'))
    .sort();

  it('has an expectation for every fixture file (and no stale ones)', () => {
    assert.deepEqual(files, Object.keys(expectations).sort());
  });

  for (const file of files) {
    it(`${file}`, () => {
      const exp = expectations[file]!;
      const body = readFileSync(join(dir, file));
      const run = () => {
        const parsed = parseResponse({ status: exp.status ?? 200, body });
        return 'error' in exp ? resultOrThrow(parsed, exp.controlId) && parsed : parsed;
      };
      if ('ok' in exp) {
        exp.ok(run());
        return;
      }
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof exp.error.cls, `expected ${exp.error.cls.name}, got ${(e as Error).name}: ${(e as Error).message}`);
        const ce = e as ConnectorError;
        assert.equal(ce.code, exp.error.code);
        assert.equal(ce.retryable, exp.error.retryable);
        assert.equal(ce.service, 'intacct');
        assert.ok(ce.userMessage.length > 20);
        if (exp.error.level) {
          assert.ok(e instanceof IntacctError);
          assert.equal((e as IntacctError).level, exp.error.level);
        }
        if (exp.error.errorno) assert.equal((e as IntacctError).errorno, exp.error.errorno);
        // Auth failures are the never-retried kind.
        if (e instanceof AuthError) assert.equal(e.retryable, false);
        return true;
      });
    });
  }
});
