/**
 * The support bundle: logs and recent runs as one zip (the Power BI gateway's "export logs", anchors
 * §8 item 5), with no secret in it. Settings hold no secrets by design; as a second line of
 * defence every file is scanned for each stored secret value and any occurrence is redacted.
 */
import yazl from 'yazl';

/** Files of the bundle: name → text. */
export type BundleFiles = Record<string, string>;

/** Replaces every occurrence of each secret (and returns how many were found). */
export function redactSecrets(text: string, secrets: readonly string[]): { text: string; found: number } {
  let found = 0;
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue; // too short to tell from ordinary text; such secrets are rejected elsewhere
    const parts = out.split(s);
    found += parts.length - 1;
    out = parts.join('[redacted]');
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
