import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configuredSides, defaultSettings, validateSettings } from '../../../../main/core/service/settings';
import { jsonFileSettingsStore } from '../../../../main/core/service/stores';

describe('settings', () => {
  it('defaults validate, and start GL detail on 1 January of the previous year', () => {
    const s = defaultSettings(Date.UTC(2026, 5, 1));
    assert.equal(s.streams.glDetailStartDate, '2025-01-01');
    assert.deepEqual(validateSettings(s), { ok: true, settings: s });
    assert.deepEqual(configuredSides(s), { intacct: false, tableau: false });
  });

  it('reports each problem at its dotted path', () => {
    const s = defaultSettings() as unknown as Record<string, Record<string, unknown>>;
    s.schedule!.preset = { kind: 'daily', time: '25:00', businessDaysOnly: true };
    s.intacct!.endpoint = 'ftp://intacct';
    s.tableau!.dependentDatasources = ['ok', ''];
    s.tableau!.datasourceNames = { vendor: 'Intacct GL Detail' };
    const r = validateSettings(s);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(Object.keys(r.errors).sort(), ['intacct.endpoint', 'schedule.preset.time', 'tableau.dependentDatasources.1']);
    const dup = defaultSettings();
    dup.tableau.datasourceNames = { vendor: 'Intacct GL Detail' };
    const r2 = validateSettings(dup);
    assert.ok(!r2.ok && r2.errors['tableau.datasourceNames.gl_detail']);
    assert.equal(validateSettings({ nope: true }).ok, false);
  });

  it('checks extra fields: Intacct-shaped names, no clash with a standard column or each other, decimals only on numbers', () => {
    const s = defaultSettings();
    s.streams.extraFields = {
      gl_detail: [
        { field: 'GLDIMSALES_CHANNEL', type: 'text' },
        { field: 'VENDOR.NAME', type: 'text' },
        { field: 'RATE', type: 'numeric', scale: 4 },
      ],
      vendor: [{ field: 'VENDOR_CF_TEXT', type: 'text' }],
    };
    assert.equal(validateSettings(s).ok, true);
    s.streams.extraFields = {
      gl_detail: [
        { field: 'GLDIMSALES_CHANNEL', type: 'text' },
        { field: 'gldimsales_channel', type: 'text' },
        { field: 'AMOUNT', type: 'numeric' },
        { field: 'BAD NAME', type: 'text' },
        { field: 'X', type: 'text', scale: 2 },
        { field: 'Y', type: 'numeric', scale: 7 },
      ],
      vendor: [{ field: 'A.B.C', type: 'text' }],
    };
    const r = validateSettings(s);
    assert.ok(!r.ok, 'refused');
    if (r.ok) return;
    assert.deepEqual(r.errors, {
      'streams.extraFields.gl_detail.3.field': 'Use the Intacct field name, like GLDIMSALES_CHANNEL or VENDOR.NAME.',
      'streams.extraFields.gl_detail.5.scale': 'At most 6 decimals.',
      'streams.extraFields.vendor.0.field': 'Use the Intacct field name, like GLDIMSALES_CHANNEL or VENDOR.NAME.',
    });
    // Shape problems first; once the shapes are right, the cross-field rules speak.
    s.streams.extraFields.gl_detail![3]!.field = 'GOOD_NAME';
    s.streams.extraFields.gl_detail![5]!.scale = 6;
    s.streams.extraFields.vendor = [];
    const r2 = validateSettings(s);
    assert.ok(!r2.ok, 'refused');
    if (r2.ok) return;
    assert.deepEqual(r2.errors, {
      'streams.extraFields.gl_detail.1.field': 'gldimsales_channel is listed twice.',
      'streams.extraFields.gl_detail.2.field': 'AMOUNT is already a standard column of GL detail.',
      'streams.extraFields.gl_detail.4.scale': 'Decimals apply to numeric fields only.',
    });
  });

  it('settings saved before extra fields existed load with none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-settings-'));
    try {
      const path = join(dir, 'settings.json');
      const old = defaultSettings() as unknown as { streams: Record<string, unknown> };
      delete old.streams.extraFields;
      writeFileSync(path, JSON.stringify(old));
      assert.deepEqual(jsonFileSettingsStore(path).get().streams.extraFields, {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the JSON file store keeps settings across opens and fills in missing groups with defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-settings-'));
    try {
      const path = join(dir, 'settings.json');
      const a = jsonFileSettingsStore(path);
      const s = a.get();
      s.intacct.companyId = 'acme';
      a.set(s);
      assert.equal(jsonFileSettingsStore(path).get().intacct.companyId, 'acme');
      const raw = JSON.parse(readFileSync(path, 'utf8'));
      delete raw.alerts;
      writeFileSync(path, JSON.stringify(raw));
      const b = jsonFileSettingsStore(path).get();
      assert.equal(b.intacct.companyId, 'acme');
      assert.deepEqual(b.alerts, defaultSettings().alerts);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finance models: all on by default with the fiscal year from Sage Intacct, kept across opens, and a settings file from before them loads with the defaults', () => {
    const d = defaultSettings().models;
    assert.ok(Object.values(d.enabled).every((on) => on === true) && Object.keys(d.enabled).length === 6);
    assert.equal(d.fiscalYearStart, 'intacct');
    const dir = mkdtempSync(join(tmpdir(), 'mlc-settings-'));
    try {
      const path = join(dir, 'settings.json');
      const store = jsonFileSettingsStore(path);
      const s = store.get();
      s.models.enabled.vendor_performance = false;
      s.models.datasourceNames.pnl = 'Finance P&L';
      s.models.fiscalYearStart = 4;
      s.models.apAgingKeepDays = 90;
      store.set(s);
      assert.deepEqual(jsonFileSettingsStore(path).get().models, s.models);
      const old = JSON.parse(readFileSync(path, 'utf8'));
      delete old.models;
      writeFileSync(path, JSON.stringify(old));
      assert.deepEqual(jsonFileSettingsStore(path).get().models, defaultSettings().models);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finance models: a file saved with the old fiscalYearStartMonth loads with 1 (the old default) as "from Sage Intacct" and another month as an override', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-settings-'));
    try {
      const path = join(dir, 'settings.json');
      const store = jsonFileSettingsStore(path);
      store.set(store.get());
      for (const [old, now] of [
        [1, 'intacct'],
        [7, 7],
      ] as const) {
        const raw = JSON.parse(readFileSync(path, 'utf8'));
        delete raw.models.fiscalYearStart;
        raw.models.fiscalYearStartMonth = old;
        writeFileSync(path, JSON.stringify(raw));
        const models = jsonFileSettingsStore(path).get().models;
        assert.equal(models.fiscalYearStart, now, `saved ${old}`);
        assert.ok(!('fiscalYearStartMonth' in models));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finance models: each invalid value is reported at its field with a message that says what to enter', () => {
    const s = defaultSettings() as unknown as { models: Record<string, unknown> };
    s.models.fiscalYearStart = 13;
    s.models.apAgingKeepDays = 0;
    s.models.datasourceNames = { ap_aging: 'x'.repeat(256) };
    const r = validateSettings(s);
    assert.ok(!r.ok);
    assert.deepEqual(Object.keys(r.errors).sort(), ['models.apAgingKeepDays', 'models.datasourceNames.ap_aging', 'models.fiscalYearStart']);
    assert.match(r.errors['models.fiscalYearStart']!, /January \(1\) to December \(12\)/);
    assert.match(r.errors['models.apAgingKeepDays']!, /at least 1 day/);
    // A model's data source may not take a stream's or another model's name: it is published with overwrite.
    const clash = defaultSettings();
    clash.models.datasourceNames.pnl = 'intacct gl detail';
    clash.models.datasourceNames.vendor_performance = 'Intacct AP Aging';
    const r2 = validateSettings(clash);
    assert.ok(!r2.ok);
    assert.match(r2.errors['models.datasourceNames.pnl']!, /Same data source name as GL detail/);
    assert.match(r2.errors['models.datasourceNames.vendor_performance']!, /Same data source name as AP aging over time/);
    const bad = defaultSettings() as unknown as { models: { enabled: Record<string, unknown> } };
    bad.models.enabled.gl_balances = 'yes';
    const r3 = validateSettings(bad);
    assert.ok(!r3.ok && r3.errors['models.enabled.gl_balances']);
  });
});
