/**
 * Every reference note a comment cites resolves for someone who clones the repository (issue #13):
 * the note is in the repository (docs/, docs/reference/ or the root), and a numbered section it
 * names ("intacct-xml.md §2.4") is a heading of that note.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

function sources(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sources(p));
    else if (/\.(ts|tsx|mts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const FOLDERS = ['docs/reference', 'docs', '.'];
const noteFile = (name: string) => FOLDERS.map((d) => join(d, basename(name))).find((p) => existsSync(p)) ?? null;
const headings = new Map<string, string[]>();
const headingsOf = (path: string) => {
  if (!headings.has(path))
    headings.set(
      path,
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => l.replace(/^#+ /, '')),
    );
  return headings.get(path)!;
};

/** `note.md` or `note.md §2.4` (a trailing full stop is the sentence's). */
const CITATION = /([A-Za-z0-9_./-]+\.md)(?: §(\d+(?:\.\d+)*)\.?)?/g;

export function brokenCitations(text: string): string[] {
  const broken: string[] = [];
  for (const m of text.matchAll(CITATION)) {
    const [whole, name, section] = m;
    const path = noteFile(name!);
    if (!path) broken.push(`${whole}: no such note in the repository`);
    else if (section && !headingsOf(path).some((h) => h.startsWith(`${section}. `) || h.startsWith(`${section} `)))
      broken.push(`${whole}: no section ${section} in ${path}`);
  }
  return broken;
}

describe('citations in comments', () => {
  it('name notes that are in the repository, and sections those notes have', () => {
    const broken = ['main', 'shared', 'renderer', 'scripts'].flatMap(sources).flatMap((p) => brokenCitations(readFileSync(p, 'utf8')).map((b) => `${p}: ${b}`));
    assert.deepEqual(broken, []);
  });

  it('the check itself catches a missing note and a missing section', () => {
    assert.deepEqual(brokenCitations('see intacct-xml.md §2.4 and tableau-rest.md §3.'), []);
    assert.equal(brokenCitations('see notes/apis.md §B').length, 1);
    assert.equal(brokenCitations('see intacct-xml.md §42').length, 1);
  });
});
