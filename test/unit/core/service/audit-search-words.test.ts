/** A run fills the audit trail's search words from the rows it reads (service/audit-labels-tap.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './service-fixture';

describe('audit search words from a run', () => {
  it('records each loaded vendor’s ID and name, so the trail can be searched by vendor', async () => {
    const env = await setup();
    await env.service.runNow();
    const vendors = await env.service.queryAudit({ stream: 'vendor', limit: 1000 });
    assert.ok(vendors.length > 0);
    assert.ok(
      vendors.every((e) => typeof e.vendor === 'string' && e.vendor.length > 0),
      JSON.stringify(vendors.slice(0, 2)),
    );
    const one = vendors[0]!;
    const part = one.vendor!.split(' · ')[0]!;
    const found = await env.service.queryAudit({ vendor: part.toLowerCase(), stream: 'vendor' });
    assert.ok(found.some((e) => e.recordKey === one.recordKey));
  });
});
