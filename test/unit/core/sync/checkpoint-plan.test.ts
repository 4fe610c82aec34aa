import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../../../main/core/sync/checkpoint';
import { columnsSignature, withExtraFields } from '../../../../main/core/streams/extra-fields';
import type { StreamState } from '../../../../main/core/sync/ports';
import { defOf } from './fakes';

const vendor = defOf('vendor');
const loaded = (over: Partial<StreamState> = {}): StreamState => ({
  stream: 'vendor',
  version: 2,
  cursor: { whenModified: 5, recordNo: 1 },
  datasourceId: 'ds-1',
  datasourceName: 'Vendors',
  columns: columnsSignature(vendor.columns),
  lastFullLoadAt: 1,
  fullLoadPending: false,
  deletesSince: 4,
  lastReconcileAt: 3,
  ...over,
});
const run = { datasourceName: 'Vendors', fullReload: false };

describe('plan', () => {
  it('reads changes when the stored state matches this run', () => {
    const p = plan(loaded(), vendor, run);
    assert.deepEqual([p.full, p.reason], [false, null]);
    assert.deepEqual(p.state.cursor, { whenModified: 5, recordNo: 1 });
  });

  it('says why a run loads in full', () => {
    assert.equal(plan(null, vendor, run).reason, 'first-run');
    assert.equal(plan(loaded(), vendor, { ...run, fullReload: true }).reason, 'reload-asked');
    assert.equal(plan(loaded({ datasourceId: null }), vendor, run).reason, 'datasource-missing');
    assert.equal(plan(loaded(), vendor, { ...run, datasourceName: 'Suppliers' }).reason, 'renamed');
    assert.equal(plan(loaded({ fullLoadPending: true }), vendor, run).reason, 'full-load-unfinished');
    const p = plan(loaded(), withExtraFields(vendor, [{ field: 'VENDOR_CF_TEXT', type: 'text' }]), run);
    assert.equal(p.reason, 'columns-changed');
    assert.notEqual(p.columns.previous, p.columns.current);
    for (const r of [plan(null, vendor, run), p]) assert.equal(r.full, true);
  });

  it('takes a state from before names and signatures were kept as unchanged, and records them for the run', () => {
    const p = plan(loaded({ datasourceName: null, columns: null }), vendor, { ...run, datasourceName: 'Anything' });
    assert.deepEqual([p.full, p.reason], [false, null]);
    assert.equal(p.state.datasourceName, 'Anything');
    assert.equal(p.state.columns, columnsSignature(vendor.columns));
    assert.deepEqual([p.state.deletesSince, p.state.lastReconcileAt], [4, 3]);
  });
});
