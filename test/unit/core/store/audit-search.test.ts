/**
 * The audit trail searched as an accountant does (issue #14): by document number, vendor and
 * journal as well as key, with numeric keys in numeric order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { openStore } from '../../../../main/core/store/index';
import { compareRecordKeys } from '../../../../main/core/store/audit';
import { auditLabelsOf } from '../../../../main/core/streams/audit-labels';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { AuditEntry, StreamName } from '../../../../shared/types';

const entry = (stream: StreamName, recordKey: string, words: Partial<Pick<AuditEntry, 'document' | 'vendor' | 'journal'>> = {}): AuditEntry => ({
  runId: 'r1',
  stream,
  recordKey,
  whenModified: null,
  contentHash: `h${recordKey}`,
  action: 'insert',
  requestId: 'q1',
  jobId: null,
  result: 'pending',
  at: 0,
  ...words,
});

describe('audit trail search', () => {
  it('finds entries by part of the document number, vendor or journal, in any case, and % or _ are plain text', () => {
    const store = openStore(':memory:', { clock: new ManualClock(0) });
    try {
      store.recordAudit([
        entry('ap_bill', '7', { document: 'BILL-1042 · INV 88%', vendor: 'V100 · Acme Steel' }),
        entry('ap_bill', '8', { document: 'BILL-1043', vendor: 'V200 · Northwind' }),
        entry('gl_detail', '3220-1', { journal: 'GJ · Month-end accruals', document: 'ACR_1' }),
        entry('vendor', '12'),
      ]);
      const keys = (q: Parameters<typeof store.queryAudit>[0]) => store.queryAudit(q).map((e) => e.recordKey);
      assert.deepEqual(keys({ document: 'bill-1042' }), ['7']);
      assert.deepEqual(keys({ document: 'BILL-104' }), ['7', '8']);
      assert.deepEqual(keys({ vendor: 'acme' }), ['7']);
      assert.deepEqual(keys({ vendor: 'V200' }), ['8']);
      assert.deepEqual(keys({ journal: 'gj' }), ['3220-1']);
      assert.deepEqual(keys({ document: '88%' }), ['7']);
      assert.deepEqual(keys({ document: 'ACR_' }), ['3220-1']);
      assert.deepEqual(keys({ document: 'AC_R' }), [], '_ is not a wildcard');
      assert.deepEqual(keys({ vendor: 'acme', stream: 'gl_detail' }), [], 'with the other filters');
      assert.deepEqual(store.queryAudit({ recordKey: '12' })[0], entry('vendor', '12'), 'an entry without words reads back without them');
    } finally {
      store.close();
    }
  });

  it('orders numeric keys as numbers and others as text', () => {
    assert.deepEqual(['10', '9', '100', '1'].sort(compareRecordKeys), ['1', '9', '10', '100']);
    assert.deepEqual(['b', '10', 'a', '9'].sort(compareRecordKeys), ['9', '10', 'a', 'b']);
    const store = openStore(':memory:', { clock: new ManualClock(0) });
    try {
      store.recordAudit(['10', '9', '100', '2'].map((k) => entry('vendor', k)));
      assert.deepEqual(
        store.queryAudit({ stream: 'vendor' }).map((e) => e.recordKey),
        ['2', '9', '10', '100'],
      );
    } finally {
      store.close();
    }
  });

  it('reads the words from a record’s row by table', () => {
    assert.deepEqual(auditLabelsOf(streamByName('ap_bill'), { RECORDID: 'BILL-1042', DOCNUMBER: 'INV 88', VENDORID: 'V100', VENDORNAME: 'Acme Steel' }), {
      document: 'BILL-1042 · INV 88',
      vendor: 'V100 · Acme Steel',
      journal: null,
    });
    assert.deepEqual(auditLabelsOf(streamByName('vendor'), { VENDORID: 'V100', NAME: 'Acme Steel' }), {
      document: null,
      vendor: 'V100 · Acme Steel',
      journal: null,
    });
    assert.deepEqual(auditLabelsOf(streamByName('gl_detail'), { SYMBOL: 'GJ', BATCH_TITLE: 'Accruals', DOCNUMBER: '', VENDORID: null }), {
      document: null,
      vendor: null,
      journal: 'GJ · Accruals',
    });
  });
});
