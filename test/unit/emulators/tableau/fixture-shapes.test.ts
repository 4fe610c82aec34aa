/**
 * Contract test: every emulator response has the shape of the matching real Tableau response in
 * test/fixtures/tableau/ (copied from shared/reference/tableau-fixtures, see its SOURCE.md): the
 * same elements, and only attributes the real response (or the XSD, where noted) has.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { startTableauEmulator, type TableauEmulator } from '../../../../main/emulators/tableau';
import { api, buildHyper, idOf, multipartBody, pollJob, signIn, API } from './helpers';

const FIXTURES = 'test/fixtures/tableau';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', trimValues: true });

/** element path → attribute names, over the whole document. */
function shape(xml: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, path));
    const attrs = out.get(path) ?? new Set<string>();
    out.set(path, attrs);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('@_')) attrs.add(k.slice(2));
      else if (k !== '#text') walk(v, `${path}/${k}`);
    }
  };
  const doc = parser.parse(xml) as Record<string, unknown>;
  walk(doc.tsResponse, 'tsResponse');
  return out;
}

interface Allow {
  /** Elements of the fixture the emulator leaves out (optional content: tags, askData, statusNotes…). */
  missing?: string[];
  /** Elements the emulator adds (e.g. notes of a failed job, XSD `updateUploadedFileJobType`). */
  extra?: string[];
  /** Attributes the emulator adds per element (XSD `jobType`: startedAt/updatedAt…). */
  extraAttrs?: Record<string, string[]>;
}

function assertSameShape(fixtureFile: string, actualXml: string, allow: Allow = {}): void {
  const want = shape(readFileSync(join(FIXTURES, fixtureFile), 'utf8'));
  const got = shape(actualXml);
  const missing = [...want.keys()].filter((p) => !got.has(p) && !(allow.missing ?? []).some((m) => p.startsWith(m)));
  const extra = [...got.keys()].filter((p) => !want.has(p) && !(allow.extra ?? []).includes(p));
  assert.deepEqual(missing, [], `${fixtureFile}: elements missing from the emulator's response\n${actualXml}`);
  assert.deepEqual(extra, [], `${fixtureFile}: elements the real response does not have\n${actualXml}`);
  for (const [path, attrs] of got) {
    const allowed = new Set([...(want.get(path) ?? []), ...(allow.extraAttrs?.[path] ?? [])]);
    const unknown = [...attrs].filter((a) => !allowed.has(a));
    assert.deepEqual(unknown, [], `${fixtureFile}: attributes of <${path}> the real response does not have`);
  }
}

describe('tableau emulator responses match the real fixtures', () => {
  let emu: TableauEmulator;
  let dir: string;
  let token: string;
  let projectId: string;
  let hyper: Buffer;
  const B = 'fixture-b';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tableau-fixture-shapes-'));
    emu = await startTableauEmulator({ jobPollsToComplete: 2 });
    hyper = await buildHyper(await emu.hyperEngine(), join(dir, 'p.hyper'), [
      { schema: 'Extract', name: 'Extract', columns: '"RECORDNO" BIGINT NOT NULL', rows: ['(1)', '(2)'] },
    ]);
    token = (await signIn(emu)).token;
    projectId = idOf(await (await api(emu, token, 'projects')).text(), 'project');
  });
  after(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const publish = (name: string, query: string) =>
    api(emu, token, `datasources?${query}`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/mixed; boundary=${B}` },
      body: multipartBody(
        [
          {
            name: 'request_payload',
            contentType: 'text/xml',
            data: `<tsRequest><datasource name="${name}"><project id="${projectId}"/></datasource></tsRequest>`,
          },
          { name: 'tableau_datasource', filename: `${name}.hyper`, contentType: 'application/octet-stream', data: hyper },
        ],
        B,
      ),
    });
  const uploadSession = async () => {
    const init = await (await api(emu, token, 'fileUploads', { method: 'POST' })).text();
    const id = /uploadSessionId="([^"]+)"/.exec(init)![1]!;
    const append = await (
      await api(emu, token, `fileUploads/${encodeURIComponent(id)}`, {
        method: 'PUT',
        headers: { 'Content-Type': `multipart/mixed; boundary=${B}` },
        body: multipartBody(
          [
            { name: 'request_payload', contentType: 'text/xml', data: '' },
            { name: 'tableau_file', filename: 'f', contentType: 'application/octet-stream', data: hyper },
          ],
          B,
        ),
      })
    ).text();
    return { id, init, append };
  };
  const jobAttrs = { 'tsResponse/job': ['startedAt', 'updatedAt', 'completedAt', 'finishCode', 'progress'] };

  it('sign-in, its error, serverinfo and its 404', async () => {
    assertSameShape('auth_sign_in.xml', (await signIn(emu)).body);
    assertSameShape('auth_sign_in_error.xml', (await signIn(emu, 'wrong')).body);
    token = (await signIn(emu)).token;
    assertSameShape('server_info_get.xml', await (await fetch(`${emu.url}/api/${API}/serverinfo`)).text());
    assertSameShape('server_info_404.xml', await (await fetch(`${emu.url}/api/9.9/serverinfo`)).text());
  });

  it('projects: query and create', async () => {
    assertSameShape('project_get.xml', await (await api(emu, token, 'projects')).text());
    assertSameShape(
      'project_create.xml',
      await (
        await api(emu, token, 'projects', { method: 'POST', body: `<tsRequest><project name="Child" parentProjectId="${projectId}"/></tsRequest>` })
      ).text(),
    );
  });

  it('data sources: publish (sync and asJob), query, empty query, get by id', async () => {
    const published = await (await publish('Shapes', 'overwrite=true')).text();
    assertSameShape('datasource_publish.xml', published);
    assertSameShape('datasource_publish_async.xml', await (await publish('Shapes async', 'overwrite=true&asJob=true')).text());
    assertSameShape('datasource_get.xml', await (await api(emu, token, `datasources?filter=${encodeURIComponent('name:eq:Shapes')}`)).text(), {
      missing: ['tsResponse/datasources/datasource/tags/tag'],
    });
    assertSameShape('datasource_get_empty.xml', await (await api(emu, token, `datasources?filter=${encodeURIComponent('name:eq:None')}`)).text());
    assertSameShape('datasource_get_by_id.xml', await (await api(emu, token, `datasources/${idOf(published, 'datasource')}`)).text(), {
      missing: ['tsResponse/datasource/tags/tag', 'tsResponse/datasource/askData'],
    });
  });

  it('file upload: initiate and append', async () => {
    const { init, append } = await uploadSession();
    assertSameShape('fileupload_initialize.xml', init);
    assertSameShape('fileupload_append.xml', append);
  });

  it('the PATCH job, in progress and failed', async () => {
    const dsId = idOf(await (await publish('Shapes', 'overwrite=true')).text(), 'datasource');
    const { id } = await uploadSession();
    const patch = (rid: string, table: string) =>
      api(emu, token, `datasources/${dsId}/data?uploadSessionId=${encodeURIComponent(id)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', RequestID: rid },
        body: JSON.stringify({
          actions: [{ action: 'insert', 'source-schema': 'Extract', 'source-table': table, 'target-schema': 'Extract', 'target-table': 'Extract' }],
        }),
      });
    const created = await (await patch('shape-1', 'missing')).text();
    assertSameShape('datasource_data_update.xml', created);
    const jobId = idOf(created, 'job');
    assertSameShape('job_get_by_id_inprogress.xml', await (await api(emu, token, `jobs/${jobId}`)).text(), { extraAttrs: jobAttrs });
    const failed = await pollJob(emu, token, jobId);
    assert.equal(failed.finishCode, 1);
    assertSameShape('job_get_by_id_failed.xml', failed.xml, { extra: ['tsResponse/job/updateUploadedFileJob/notes'], extraAttrs: jobAttrs });
  });

  it('refresh and its failed job', async () => {
    const dep = await emu.createDatasource('Upstream extract');
    emu.setFaults({ rate: 1, kinds: ['jobFail'], seed: 1 });
    const created = await (await api(emu, token, `datasources/${dep.id}/refresh`, { method: 'POST', body: '<tsRequest/>' })).text();
    emu.setFaults({ rate: 0, kinds: [] });
    assertSameShape('datasource_refresh.xml', created);
    const failed = await pollJob(emu, token, idOf(created, 'job'));
    // The fixture's failed refresh is a workbook's; a data source's names the data source instead.
    assertSameShape('job_get_by_id_failed_workbook.xml', failed.xml, {
      missing: ['tsResponse/job/extractRefreshJob/workbook'],
      extra: ['tsResponse/job/extractRefreshJob/datasource'],
      extraAttrs: { ...jobAttrs, 'tsResponse/job/extractRefreshJob/datasource': ['id', 'name'] },
    });
  });
});
