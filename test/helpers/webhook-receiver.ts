/**
 * A local HTTP receiver standing in for a Teams or Slack incoming webhook (node:http on 127.0.0.1):
 * it keeps each request's path, headers and JSON body, and answers with the statuses a test lines up.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  origin: string;
  posts: ReceivedPost[];
  /** Statuses for the next requests, in order (then 200 "ok", as Slack answers). */
  answers: { status: number; body?: string; headers?: Record<string, string> }[];
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedPost[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const answers: WebhookReceiver['answers'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answers.shift() ?? { status: 200, body: 'ok' };
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    posts,
    answers,
    async waitFor(n, timeoutMs = 5_000) {
      const end = Date.now() + timeoutMs;
      while (posts.length < n) {
        if (Date.now() > end) throw new Error(`expected ${n} post(s), got ${posts.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return posts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
