import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../../../main/core/errors';
import { compareVersions, isTableauCloud, normaliseServerUrl, pickApiVersion } from '../../../../main/core/tableau/tableau-version';

describe('tableau-version', () => {
  it('compares REST versions numerically, not as text', () => {
    assert.ok(compareVersions('3.10', '3.9') > 0);
    assert.ok(compareVersions('3.12', '3.12') === 0);
    assert.ok(compareVersions('2.8', '3.0') < 0);
  });

  it('uses min(server version, the newest supported)', () => {
    assert.equal(pickApiVersion('3.29'), '3.25');
    assert.equal(pickApiVersion('3.19'), '3.19');
  });

  it('reduces a pasted address to the base URL', () => {
    assert.equal(normaliseServerUrl('https://10ay.online.tableau.com/#/site/finance/home'), 'https://10ay.online.tableau.com');
    assert.equal(normaliseServerUrl(' https://tableau.example.com/analytics/api/ '), 'https://tableau.example.com/analytics');
    assert.equal(normaliseServerUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    assert.throws(() => normaliseServerUrl('tableau.example.com'), ValidationError);
    assert.ok(isTableauCloud('https://10ay.online.tableau.com'));
    assert.ok(!isTableauCloud('https://tableau.example.com'));
  });
});
