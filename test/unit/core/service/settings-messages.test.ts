/**
 * Settings problems in the form's words (issue #14, validation): a section being filled needs its
 * whole sign-in, and no message is zod's own ("Invalid input: expected number…").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, validateSchedule, validateSettings, validateSettingsToSave } from '../../../../main/core/service/settings';
import { settingsFieldLabel } from '../../../../main/core/service/settings-messages';

const errorsOf = (input: unknown) => {
  const r = validateSettingsToSave(input);
  assert.equal(r.ok, false, 'refused');
  return r.ok ? {} : r.errors;
};

/** zod's English defaults start so (zod v4 locales/en). */
const RAW_ZOD = /^(Invalid input|Invalid option|Too (small|big)|Unrecognized key|Expected|Required$)/;

describe('settings messages', () => {
  it('asks for the sender ID, company ID and user ID once the Intacct section is being filled', () => {
    const s = defaultSettings();
    s.intacct.companyId = 'acme';
    const errors = errorsOf(s);
    assert.deepEqual(Object.keys(errors).sort(), ['intacct.senderId', 'intacct.userId']);
    assert.match(errors['intacct.senderId']!, /sender ID/);
    assert.match(errors['intacct.userId']!, /user ID/);
    // An empty section is not an error: the user may set up one side first.
    assert.equal(validateSettingsToSave(defaultSettings()).ok, true);
    // A stored file saved half-way still opens: the gaps are a rule of saving only.
    assert.equal(validateSettings(s).ok, true);
  });

  it('asks for the token name once a Tableau server is given, and for the server once the section is being filled', () => {
    const s = defaultSettings();
    s.tableau.serverUrl = 'https://10ax.online.tableau.com';
    assert.deepEqual(errorsOf(s), { 'tableau.patName': 'Enter the token name of the personal access token.' });
    const t = defaultSettings();
    t.tableau.patName = 'connector';
    assert.deepEqual(Object.keys(errorsOf(t)), ['tableau.serverUrl']);
    assert.match(errorsOf(t)['tableau.serverUrl']!, /Tableau server URL/);
  });

  it('says a wrong type, an unknown choice or an out-of-range number in the field’s words, never zod’s', () => {
    const s = defaultSettings() as unknown as Record<string, Record<string, unknown>>;
    s.intacct!.concurrency = 'two';
    s.tableau!.kind = 'online';
    s.alerts!.consecutiveFailures = 0;
    s.retention!.logDays = 1.5;
    s.startAtLogin = 'yes' as unknown as Record<string, unknown>;
    s.extra = {};
    const errors = errorsOf(s);
    assert.deepEqual(errors, {
      'intacct.concurrency': 'Requests in flight: enter a number.',
      'tableau.kind': 'Tableau product: choose one of the offered values.',
      'alerts.consecutiveFailures': 'Failures in a row before an alert: at least 1.',
      'retention.logDays': 'Log retention (days): enter a whole number.',
      startAtLogin: 'Start at sign-in: enter yes or no.',
      '(settings)': 'These settings are not known to this version: extra.',
    });
    for (const m of Object.values(errors)) assert.doesNotMatch(m, RAW_ZOD);
  });

  it('names the field in a schedule preview’s problems too', () => {
    const r = validateSchedule({ preset: { kind: 'hourly', everyHours: 'x', businessDaysOnly: false }, timezone: 'UTC', paused: false });
    assert.deepEqual(r, { ok: false, errors: { 'schedule.preset.everyHours': 'Schedule interval (hours): enter a number.' } });
  });

  it('labels every path the form can show', () => {
    assert.equal(settingsFieldLabel('intacct.userId'), 'User ID');
    assert.equal(settingsFieldLabel('tableau.datasourceNames.vendor'), 'Data source name for Vendors');
    assert.equal(settingsFieldLabel('tableau.dependentDatasources.0'), 'Dependent data source 1');
    assert.equal(settingsFieldLabel('streams.extraFields.gl_detail.2.scale'), 'Extra field 3 (decimals) of GL detail');
    assert.equal(settingsFieldLabel('streams.enabled.ap_bill'), 'Sync AP bills');
  });
});
