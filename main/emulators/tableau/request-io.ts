/**
 * Reading requests: bodies (bounded), `tsRequest` payloads in XML or JSON (tableau-rest.md §5), and
 * draining what a refused request still sends so its error response can be delivered.
 */
import type { IncomingMessage } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badRequest } from './http-error';
import { keepOpen } from './multipart';

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false });

/** Parses a `tsRequest` body, XML or JSON, into the inner object (attributes become properties). */
export function parseTsRequest(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  // Content-Type decides; a body that is plainly JSON is read as JSON even when it is not labelled.
  if (/json/i.test(contentType ?? '') || text.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(text);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through to the 400 below
    }
    throw badRequest('The request body is not valid JSON.');
  }
  if (text === '') throw badRequest('The request body is empty.');
  if (XMLValidator.validate(text) !== true) throw badRequest('The request body is not well-formed XML.');
  const doc = xmlParser.parse(text) as Record<string, unknown>;
  const root = doc.tsRequest;
  if (!root || typeof root !== 'object') throw badRequest("The request body has no 'tsRequest' element.");
  return root as Record<string, unknown>;
}

/** `v` as a plain object, or null. */
export function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** A string attribute (or property) of `o`. */
export function strAttr(o: Record<string, unknown> | null, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** The whole body, refused with a 400 beyond `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of keepOpen(req as AsyncIterable<Buffer>)) {
    size += chunk.length;
    if (size > limit) throw badRequest(`The request body is larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads and discards the rest of the body (the client is still sending it). */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  req.resume();
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('error', () => resolve());
    req.once('close', () => resolve());
  });
}
