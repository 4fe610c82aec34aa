/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS hook, loaded by electron-builder with require() */
// electron-builder afterPack hook: the packaged app must carry an executable hyperd for its own
// platform and architecture, with Tableau's license and notices beside it. Without hyperd the app
// installs and then fails every sync, so the build fails here instead, saying what to run.
const { accessSync, constants, existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ARCH = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

/** Where electron-builder put the extra resources inside the packed app. */
function resourcesDir(context) {
  return context.electronPlatformName === 'darwin'
    ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
    : join(context.appOutDir, 'resources');
}

function checkHyperd(dir, platform) {
  const exe = join(dir, platform === 'win32' ? 'hyperd.exe' : 'hyperd');
  if (!existsSync(exe) || !statSync(exe).isFile()) return `no hyperd at ${exe}`;
  if (platform !== 'win32') {
    try {
      accessSync(exe, constants.X_OK);
    } catch {
      return `${exe} is not executable`;
    }
  }
  const legal = readdirSync(dir).filter((f) => /^(license|notice|third[-_ ]?party)/i.test(f));
  if (!legal.length) return `no license/notices file beside ${exe} (Tableau's Hyper API is Apache-2.0: its LICENSE and NOTICES must ship with it)`;
  return null;
}

exports.checkHyperd = checkHyperd;
exports.default = async function afterPack(context) {
  const platform = context.electronPlatformName;
  const arch = ARCH[context.arch] ?? String(context.arch);
  const problem = checkHyperd(join(resourcesDir(context), 'hyperd'), platform);
  if (problem) {
    throw new Error(`The ${platform}-${arch} app has no usable Hyper engine: ${problem}. Run "node scripts/fetch-hyperd.mjs --platform ${platform} --arch ${arch}" and package again.`);
  }
};
