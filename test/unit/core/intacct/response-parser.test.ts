import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createIntacctXmlParser, parseResponse, resultOrThrow } from '../../../../main/core/intacct/response-parser';
import {
  classifyIntacctError,
  decodeSupportId,
  IntacctAuthError,
  IntacctError,
  IntacctPermissionError,
  IntacctRateLimitError,
  IntacctSessionExpiredError,
  parseInvalidFields,
} from '../../../../main/core/intacct/intacct-errors';
import { ApiError, AuthError, ConnectorError, NetworkError, RateLimitError, SessionExpiredError } from '../../../../main/core/errors';
import { authFailure, authOk, controlFailure, okResponse, resultFailure } from './fake-gateway';

const NOW = Date.UTC(2026, 0, 15, 12);
const ok = (result: string) => okResponse(authOk(NOW, 3600_000), result);
const fail = (errors: { errorno: string; description2: string; correction?: string }[]) => ok(resultFailure('query', 'f1', errors));
const parse = (body: string, status = 200, headers?: Record<string, string>) => parseResponse({ status, body, headers: new Headers(headers) }, { now: NOW });
const parseResult = (body: string) => resultOrThrow(parse(body), 'f1');

function expectError(fn: () => unknown, check: (e: ConnectorError) => void) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConnectorError, `not a ConnectorError: ${String(e)}`);
    check(e);
    return true;
  });
}

describe('parseResponse: HTTP and body kinds', () => {
  it('keeps every value a string, including big RECORDNOs and amounts', () => {
    const body = ok(
      '<result><status>success</status><function>query</function><controlid>f1</controlid><data listtype="GLDETAIL" count="1" totalcount="1" numremaining="0"><GLDETAIL><RECORDNO>9007199254740993</RECORDNO><AMOUNT>0.10</AMOUNT><NAME>Smith &amp; &lt;Sons&gt;</NAME><EMPTY/><DESC>  padded </DESC></GLDETAIL></data></result>',
    );
    const rec = parseResult(body).data!.records[0]!;
    assert.deepEqual(rec, { RECORDNO: '9007199254740993', AMOUNT: '0.10', NAME: 'Smith & <Sons>', EMPTY: '', DESC: '  padded ' });
  });

  it('treats an empty body as a retryable network error', () => {
    expectError(
      () => parse('  '),
      (e) => {
        assert.ok(e instanceof NetworkError);
        assert.equal(e.code, 'EMPTY_BODY');
        assert.equal(e.retryable, true);
      },
    );
  });

  it('treats a truncated body as retryable', () => {
    const body = ok('<result><status>success</status><function>query</function><controlid>f1</controlid><data count="1"><X><A>1</A>');
    expectError(
      () => parse(body.slice(0, body.length - 40)),
      (e) => {
        assert.ok(e instanceof NetworkError);
        assert.equal(e.code, 'TRUNCATED');
      },
    );
  });

  it('treats garbage and a body whose record count does not add up as malformed (retryable)', () => {
    expectError(
      () => parse('this is not xml'),
      (e) => assert.equal(e.code, 'MALFORMED_RESPONSE'),
    );
    const corrupted = ok('<result><status>success</status><function>query</function><controlid>f1</controlid><data count="2"><X><A>1</A></X></data></result>');
    expectError(
      () => parse(corrupted),
      (e) => {
        assert.ok(e instanceof NetworkError);
        assert.equal(e.code, 'MALFORMED_RESPONSE');
      },
    );
    expectError(
      () => parse('<response><control><status>success</status></contrl><operation><result><data><X><A>1<</response>'),
      (e) => assert.ok(e instanceof NetworkError),
    );
  });

  it('retries Cloudflare pages and 5xx, but not a 524', () => {
    expectError(
      () => parse('<!DOCTYPE html><html><div class="cf-error-details">Error 520</div></html>', 520),
      (e) => {
        assert.ok(e instanceof NetworkError);
        assert.equal(e.code, 'CLOUDFLARE');
        assert.equal(e.retryable, true);
      },
    );
    expectError(
      () => parse('<html><body>Bad gateway</body></html>', 502),
      (e) => assert.equal(e.retryable, true),
    );
    expectError(
      () => parse(ok('<result/>'), 503),
      (e) => {
        assert.equal(e.code, 'HTTP_503');
        assert.equal(e.retryable, true);
      },
    );
    expectError(
      () => parse('<html>timeout</html>', 524),
      (e) => {
        assert.equal(e.code, 'HTTP_524');
        assert.equal(e.retryable, false);
        assert.match(e.userMessage, /not repeated automatically/);
      },
    );
  });

  it('maps 429 to a RateLimitError honouring Retry-After', () => {
    expectError(
      () => parse('', 429, { 'retry-after': '12' }),
      (e) => {
        assert.ok(e instanceof RateLimitError);
        assert.equal(e.retryAfterMs, 12_000);
      },
    );
  });

  it('reports a proxy page on HTTP 200 as a settings problem, not a retry', () => {
    expectError(
      () => parse('<html><head><title>Proxy login</title></head></html>', 200),
      (e) => {
        assert.equal(e.code, 'HTML_PAGE');
        assert.equal(e.retryable, false);
        assert.match(e.userMessage, /proxy/);
      },
    );
  });

  it('parses a 4xx XML gateway error whose control block has only a status (NET-SDK #215)', () => {
    expectError(
      () => parse(controlFailure([{ errorno: 'GW-0011', description2: 'Invalid Request' }]), 400),
      (e) => {
        assert.ok(e instanceof IntacctAuthError);
        assert.equal((e as IntacctAuthError).level, 'gateway');
        assert.equal(e.status, 400);
        assert.equal(e.retryable, false);
      },
    );
  });

  it('fails a non-XML 401 as an auth error', () => {
    expectError(
      () => parse('Unauthorized', 401),
      (e) => assert.ok(e instanceof AuthError),
    );
  });
});

describe('classification (intacct-xml.md §2.4)', () => {
  it('XL03000006 at control level is a wrong sender', () => {
    expectError(
      () => parse(controlFailure([{ errorno: 'XL03000006', description2: 'Incorrect Intacct XML Partner ID or password.' }])),
      (e) => {
        assert.ok(e instanceof IntacctAuthError);
        assert.equal(e.code, 'SENDER_INVALID');
        assert.equal(e.retryable, false);
        assert.match(e.userMessage, /Sender ID or password is wrong: check the Web Services sender credentials/);
        assert.equal((e as IntacctAuthError).level, 'control');
      },
    );
    expectError(
      () => parse(controlFailure([{ errorno: 'XL03000006', description2: '' }])),
      (e) => assert.equal(e.code, 'SENDER_INVALID'),
    );
  });

  it('XL03000006 at authentication level: wrong login, unauthorised sender, expired session', () => {
    expectError(
      () => parse(authFailure([{ errorno: 'XL03000006', description2: 'Sign-in information is incorrect' }])),
      (e) => {
        assert.ok(e instanceof AuthError);
        assert.equal(e.code, 'LOGIN_INVALID');
        assert.equal(e.retryable, false);
      },
    );
    expectError(
      () => parse(authFailure([{ errorno: 'XL03000006', description2: 'Invalid Web Services Authorization' }])),
      (e) => {
        assert.ok(e instanceof AuthError);
        assert.equal(e.code, 'SENDER_NOT_AUTHORIZED');
        assert.match(e.userMessage, /not authorised for this company.*Web Services authorizations/);
      },
    );
    expectError(
      () => parse(authFailure([{ errorno: 'XL03000006', description2: 'Invalid session' }])),
      (e) => {
        assert.ok(e instanceof SessionExpiredError);
        assert.ok(e instanceof IntacctSessionExpiredError);
        assert.equal(e.retryable, true);
      },
    );
  });

  it('transient result errors are retryable', () => {
    const cases: [string, string, string | undefined, string][] = [
      ['BL01001973', 'There are too many operations running for this company (200024)', undefined, 'TOO_MANY_OPERATIONS'],
      ['XL03000012', 'The Service is Temporarily Off-line [Support ID: abc%40x]', undefined, 'OFFLINE'],
      ['BL01001973', 'Could not run', 'Please Try Again Later', 'TRY_LATER'],
      ['', 'API rate limit exceeded', undefined, 'RATE_LIMITED'],
      ['DL02000001', 'There was an error processing the request.', undefined, 'SERVER_ERROR'],
    ];
    for (const [errorno, description2, correction, code] of cases) {
      expectError(
        () => parseResult(fail([{ errorno, description2, correction }])),
        (e) => {
          assert.equal(e.code, code, description2);
          assert.equal(e.retryable, true, code);
          assert.ok(e instanceof IntacctError, `${code} is an IntacctError`);
        },
      );
    }
    expectError(
      () => parseResult(fail([{ errorno: 'X', description2: 'too many operations (200024)' }])),
      (e) => {
        assert.ok(e instanceof IntacctRateLimitError);
        assert.equal(e.retryAfterMs, 30_000);
      },
    );
  });

  it('permission errors are not retryable and say what to grant', () => {
    expectError(
      () =>
        parseResult(
          fail([{ errorno: 'PL04000005', description2: 'You do not have permission for API operation READ_BY_QUERY on objects of type glaccount.' }]),
        ),
      (e) => {
        assert.ok(e instanceof IntacctPermissionError);
        assert.ok(e instanceof ApiError);
        assert.equal(e.retryable, false);
        assert.equal(e.code, 'PERMISSION_DENIED');
      },
    );
  });

  it('invalid fields name the fields and are not retried', () => {
    expectError(
      () => parseResult(fail([{ errorno: 'XL03000006', description2: 'The following fields cannot be queried: [GLDETAIL: [BADFIELD, OTHER.X] ]' }])),
      (e) => {
        assert.equal(e.code, 'INVALID_FIELD');
        assert.equal(e.retryable, false);
        assert.deepEqual(e.detail?.['fields'], ['BADFIELD', 'OTHER.X']);
        assert.match(e.userMessage, /BADFIELD, OTHER\.X/);
      },
    );
  });

  it('decodes the Support ID and keeps it on the error and in the message', () => {
    assert.equal(decodeSupportId('Boom [Support ID: KDhXoEB032%7EYyLeqP0e0GYAAAAO]'), 'KDhXoEB032~YyLeqP0e0GYAAAAO');
    const e = classifyIntacctError({
      level: 'result',
      errors: [{ errorno: 'BL1', description: '', description2: 'Failed [Support ID: a%7Eb]', correction: '' }],
    });
    assert.ok(e instanceof IntacctError);
    assert.equal((e as IntacctError).supportId, 'a~b');
    assert.match(e.userMessage, /Support ID: a~b/);
    assert.deepEqual((e.toJSON() as { intacct: { supportId: string } }).intacct.supportId, 'a~b');
  });

  it('parses field lists out of Intacct texts', () => {
    assert.deepEqual(parseInvalidFields('The following fields cannot be queried: [VENDOR: [A, B] ]'), ['A', 'B']);
  });

  it('instanceof IntacctError matches every typed Intacct error but not foreign ones', () => {
    const auth = classifyIntacctError({
      level: 'authentication',
      errors: [{ errorno: 'XL03000006', description: '', description2: 'Sign-in information is incorrect', correction: '' }],
    });
    assert.ok(auth instanceof IntacctError);
    assert.ok(auth instanceof IntacctAuthError);
    assert.equal(auth instanceof IntacctPermissionError, false);
    assert.equal(new ApiError({ service: 'intacct', userMessage: 'x' }) instanceof IntacctError, false);
  });
});

describe('createIntacctXmlParser', () => {
  it('builds a parser with the client shape: one record is still an array, values stay strings', () => {
    const body = ok(
      '<result><status>success</status><function>query</function><controlid>f1</controlid><data count="1"><GLDETAIL><RECORDNO>0012</RECORDNO></GLDETAIL></data></result>',
    );
    const doc = createIntacctXmlParser().parse(body) as { response: { operation: { result: { data: { GLDETAIL: unknown } }[] } } };
    assert.ok(Array.isArray(doc.response.operation.result));
    assert.deepEqual(doc.response.operation.result[0]!.data.GLDETAIL, [{ RECORDNO: '0012' }]);
    assert.notEqual(createIntacctXmlParser(), createIntacctXmlParser());
  });
});
