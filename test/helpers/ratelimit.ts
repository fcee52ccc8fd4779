// A rate-limited endpoint on 127.0.0.1 in front of a devnet, as toncenter limits its callers: at most `perSecond`
// requests in any second are forwarded, the others answered 429 with Retry-After: 1. Counts what it served.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Limited {
  url: string;
  /** each forwarded request: when (performance.now()) and its JSON-RPC method */
  served: { at: number; method: string }[];
  refused: number;
  close(): Promise<void>;
}

export async function rateLimited(upstream: string, perSecond: number): Promise<Limited> {
  const recent: number[] = [];
  const out: Limited = { url: '', served: [], refused: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const now = performance.now();
      while (recent.length && now - recent[0]! >= 1000) recent.shift();
      if (recent.length >= perSecond) {
        out.refused++;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"ok":false,"error":"Ratelimit exceed","code":429}');
        return;
      }
      recent.push(now);
      let method = '';
      try {
        method = String((JSON.parse(body) as { method?: unknown }).method ?? '');
      } catch {
        // not JSON: forwarded as it is
      }
      out.served.push({ at: now, method });
      void fetch(upstream + (req.url ?? ''), { method: req.method ?? 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  out.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  out.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return out;
}
