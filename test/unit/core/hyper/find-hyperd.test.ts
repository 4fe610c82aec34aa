import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findHyperd, HYPERD_NPM_PACKAGE } from '../../../../main/core/hyper/find-hyperd';
import { HyperdNotFoundError } from '../../../../main/core/hyper/hyper-errors';
import { ConnectorError } from '../../../../main/core/errors';

describe('findHyperd', () => {
  let root: string;
  let settingsExe: string;
  let envDir: string;
  let resources: string;
  let project: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'find-hyperd-'));
    const file = (p: string) => {
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, '#!/bin/sh\n', { mode: 0o755 });
      return p;
    };
    settingsExe = file(join(root, 'settings', 'my-hyperd'));
    envDir = join(root, 'env');
    file(join(envDir, 'hyperd'));
    resources = join(root, 'resources');
    file(join(resources, 'hyperd', 'hyperd'));
    file(join(resources, 'hyperd', 'hyperd.exe'));
    project = join(root, 'project');
    file(join(project, 'node_modules', HYPERD_NPM_PACKAGE, 'hyperd'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const all = () => ({
    settingsPath: settingsExe,
    env: { HYPERD_PATH: envDir },
    resourcesPath: resources,
    projectRoot: project,
    platform: 'linux' as const,
    arch: 'x64',
  });

  it('prefers the settings path, then HYPERD_PATH, then bundled resources, then the dev package', () => {
    assert.equal(findHyperd(all()), settingsExe);
    assert.equal(findHyperd({ ...all(), settingsPath: undefined }), join(envDir, 'hyperd'));
    assert.equal(findHyperd({ ...all(), settingsPath: '  ', env: {} }), join(resources, 'hyperd', 'hyperd'));
    assert.equal(
      findHyperd({ ...all(), settingsPath: undefined, env: {}, resourcesPath: undefined }),
      join(project, 'node_modules', HYPERD_NPM_PACKAGE, 'hyperd'),
    );
  });

  it('accepts a folder in settings or HYPERD_PATH and uses hyperd.exe on Windows', () => {
    assert.equal(findHyperd({ env: { HYPERD_PATH: envDir } }), join(envDir, 'hyperd'));
    assert.equal(findHyperd({ resourcesPath: resources, platform: 'win32', arch: 'x64' }), join(resources, 'hyperd', 'hyperd.exe'));
  });

  it('uses the npm dev copy only on Linux x64', () => {
    assert.throws(() => findHyperd({ projectRoot: project, platform: 'darwin', arch: 'arm64' }), HyperdNotFoundError);
    assert.throws(() => findHyperd({ projectRoot: project, platform: 'linux', arch: 'arm64' }), HyperdNotFoundError);
  });

  it('does not fall through when a configured path is wrong, and names it', () => {
    const missing = join(root, 'nope', 'hyperd');
    const err = (() => {
      try {
        findHyperd({ ...all(), settingsPath: missing });
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(err instanceof HyperdNotFoundError);
    assert.match(err.userMessage, /settings/);
    assert.ok(err.userMessage.includes(missing));
    assert.throws(() => findHyperd({ env: { HYPERD_PATH: missing }, projectRoot: project, platform: 'linux', arch: 'x64' }), /HYPERD_PATH/);
  });

  it('says exactly what to install or set when nothing is found', () => {
    try {
      findHyperd({ resourcesPath: join(root, 'empty'), projectRoot: join(root, 'empty'), platform: 'linux', arch: 'x64' });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof HyperdNotFoundError);
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.service, 'hyper');
      assert.equal(e.kind, 'config');
      assert.equal(e.retryable, false);
      assert.ok(e.userMessage.includes(`npm i -D ${HYPERD_NPM_PACKAGE}`));
      assert.match(e.userMessage, /HYPERD_PATH/);
      assert.match(e.userMessage, /settings/);
      assert.match(e.userMessage, /scripts\/fetch-hyperd/);
      assert.deepEqual(e.searched, [join(root, 'empty', 'hyperd', 'hyperd'), join(root, 'empty', 'node_modules', HYPERD_NPM_PACKAGE, 'hyperd')]);
    }
    // Elsewhere the npm hint would be wrong: it is left out.
    assert.throws(
      () => findHyperd({ platform: 'win32', arch: 'x64' }),
      (e: unknown) => e instanceof HyperdNotFoundError && !e.userMessage.includes('npm i') && /HYPERD_PATH/.test(e.userMessage),
    );
  });
});
