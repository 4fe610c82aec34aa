import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldChoice } from '../../../shared/types';
import { namedMessage, splitTableauUrl, unknownFieldProblem } from '../../../renderer/settings/field-checks';

const choice = (field: string): FieldChoice => ({ field, label: field, intacctType: 'TEXT', type: 'text', isCustom: false, standard: false }) as FieldChoice;

describe('form checks', () => {
  it('splits a Tableau address pasted from the browser into server and site', () => {
    assert.deepEqual(splitTableauUrl('https://10ax.online.tableau.com/#/site/acme/home'), {
      serverUrl: 'https://10ax.online.tableau.com',
      site: 'acme',
      cloud: true,
    });
    assert.deepEqual(splitTableauUrl(' https://prod-useast-b.online.tableau.com/#/site/acme-finance/views/AP/Aging?:iid=1 '), {
      serverUrl: 'https://prod-useast-b.online.tableau.com',
      site: 'acme-finance',
      cloud: true,
    });
    assert.deepEqual(splitTableauUrl('https://tableau.example.com/#/site/Finance%20Team/projects'), {
      serverUrl: 'https://tableau.example.com',
      site: 'Finance Team',
      cloud: false,
    });
    assert.deepEqual(splitTableauUrl('https://tableau.example.com/#/projects'), { serverUrl: 'https://tableau.example.com', site: '', cloud: false });
    // A plain server address, or something that is no address, is left as typed.
    assert.equal(splitTableauUrl('https://10ax.online.tableau.com'), null);
    assert.equal(splitTableauUrl('https://10ax.online.tableau.com/'), null);
    assert.equal(splitTableauUrl('10ax.online'), null);
    assert.equal(splitTableauUrl('https://10ax.online.tableau.com/#/'), null, 'half-typed: left alone');
    assert.equal(splitTableauUrl('ftp://x.example.com/#/site/a'), null);
  });

  it('checks a hand-typed extra field against Intacct’s list once it is known', () => {
    const list = [choice('GLDIMSALES_CHANNEL'), choice('DEPARTMENTID')];
    assert.equal(unknownFieldProblem('GLDIMSALES_CHANEL', null, 'GL detail'), undefined, 'not checked before the list is fetched');
    assert.equal(unknownFieldProblem('gldimsales_channel', list, 'GL detail'), undefined, 'names are compared without case');
    assert.equal(unknownFieldProblem('VENDOR.NAME', list, 'GL detail'), undefined, 'related fields are not in the list');
    assert.equal(unknownFieldProblem('', list, 'GL detail'), undefined);
    assert.equal(
      unknownFieldProblem('GLDIMSALES_CHANEL ', list, 'GL detail'),
      'GLDIMSALES_CHANEL is not a field of GL detail in Sage Intacct: check the spelling, or pick it from the fields Intacct lists below.',
    );
  });

  it('leads a summary message with its field unless the message names it', () => {
    assert.equal(namedMessage('intacct.endpoint', 'Use an https:// URL.'), 'Gateway URL: Use an https:// URL.');
    assert.equal(namedMessage('intacct.userId', 'Enter the user ID of the Web Services (API) user.'), 'Enter the user ID of the Web Services (API) user.');
    assert.equal(
      namedMessage('tableau.datasourceNames.vendor', 'Same data source name as gl_detail.'),
      'Data source name for Vendors: Same data source name as gl_detail.',
    );
  });
});
