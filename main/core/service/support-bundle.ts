/**
 * The support bundle: logs and recent runs as one zip (the Power BI gateway's "export logs", anchors
 * §8 item 5), with no secret in it. Settings hold no secrets by design; as a second line of
 * defence every file is scanned for each stored secret value and any occurrence is redacted.
 */
import yazl from 'yazl';

/** Files of the bundle: name → text. */
export type BundleFiles = Record<string, string>;

/**
 * The forms a secret takes in the bundle's text: as is, JSON-escaped once (a log message holding it,
 * written into log.json) and twice (an upstream JSON error echoing it, inside a logged message),
 * and XML-escaped (an Intacct or Tableau XML answer echoing it). Longest first, so a longer form
 * is replaced before the plain one inside it.
 */
export function secretForms(secret: string): string[] {
  const json1 = JSON.stringify(secret).slice(1, -1);
  const json2 = JSON.stringify(json1).slice(1, -1);
  const xml = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  const xmlQuot = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
  const forms = new Set([secret, json1, json2, xml, xmlQuot, JSON.stringify(xml).slice(1, -1)]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of each secret, in each of its escaped forms (and returns how many were found). */
export function redactSecrets(text: string, secrets: readonly string[]): { text: string; found: number } {
  let found = 0;
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue; // too short to tell from ordinary text; such secrets are rejected elsewhere
    for (const form of secretForms(s)) {
      const parts = out.split(form);
      found += parts.length - 1;
      out = parts.join('[redacted]');
    }
  }
  return { text: out, found };
}

/** Zips the files (deflated) after redaction; resolves with the zip bytes. */
export async function buildSupportZip(files: BundleFiles, secrets: readonly string[], mtime: Date): Promise<{ zip: Buffer; redactions: number }> {
  const zip = new yazl.ZipFile();
  let redactions = 0;
  for (const [name, content] of Object.entries(files)) {
    const r = redactSecrets(content, secrets);
    redactions += r.found;
    zip.addBuffer(Buffer.from(r.text, 'utf8'), name, { mtime });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return { zip: Buffer.concat(chunks), redactions };
}
