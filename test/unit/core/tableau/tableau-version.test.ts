import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../../../main/core/errors';
import {
  compareVersions,
  fileFormatRefusal,
  isTableauCloud,
  normaliseServerUrl,
  parseTableauAddress,
  pickApiVersion,
} from '../../../../main/core/tableau/tableau-version';

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

  it('splits browser addresses into server and site, and says so', () => {
    const cloud = parseTableauAddress('https://10ax.online.tableau.com/#/site/acme/home');
    assert.deepEqual([cloud.baseUrl, cloud.site], ['https://10ax.online.tableau.com', 'acme']);
    assert.match(cloud.note!, /browser address: using the server https:\/\/10ax.online.tableau.com and the site "acme"/);
    const view = parseTableauAddress('https://tableau.example.com/t/acme/views/Finance/Overview?:iid=1');
    assert.deepEqual([view.baseUrl, view.site], ['https://tableau.example.com', 'acme']);
    // Behind a reverse proxy: the prefix stays, the browser route goes.
    const proxied = parseTableauAddress('https://example.com/tableau/#/site/acme/views', '');
    assert.deepEqual([proxied.baseUrl, proxied.site], ['https://example.com/tableau', 'acme']);
    const defaultSite = parseTableauAddress('https://tableau.example.com/#/home');
    assert.deepEqual([defaultSite.baseUrl, defaultSite.site], ['https://tableau.example.com', '']);
    assert.match(defaultSite.note!, /browser address/);
    // A plain server address has no note; the site setting is kept.
    assert.deepEqual(parseTableauAddress('https://tableau.example.com', 'Finance'), { baseUrl: 'https://tableau.example.com', site: 'Finance' });
    // The same site in both places is fine; two different ones are a question for the user.
    assert.equal(parseTableauAddress('https://10ax.online.tableau.com/#/site/acme/home', 'acme').site, 'acme');
    assert.throws(() => parseTableauAddress('https://10ax.online.tableau.com/#/site/acme/home', 'other'), ValidationError);
  });

  it('refuses the releases that cannot open file format 2, by release and by REST version', () => {
    for (const [rest, product] of [
      ['3.12', '2021.2.8'],
      ['3.13', '2021.3.7'],
      ['3.14', '2021.4.3'],
      ['3.15', '2022.1.1'],
      ['3.15', '2022.1'],
      ['3.14', '10.1.0'],
      ['3.13', ''],
    ]) {
      assert.ok(fileFormatRefusal(rest!, product!), `${rest} ${product} refused`);
    }
    for (const [rest, product] of [
      ['3.12', '2021.2.9'],
      ['3.13', '2021.3.8'],
      ['3.14', '2021.4.4'],
      ['3.15', '2022.1.2'],
      ['3.15', '2022.1.10'],
      ['3.16', '2022.2.0'],
      ['3.25', '2025.1.0'],
      ['3.25', '10.1.0'],
    ]) {
      assert.equal(fileFormatRefusal(rest!, product!), null, `${rest} ${product} accepted`);
    }
    assert.match(fileFormatRefusal('3.14', '2021.4.3')!, /2021\.4\.3 cannot open.*2021\.4\.4/);
  });
});
