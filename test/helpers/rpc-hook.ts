// A JSON-RPC proxy on 127.0.0.1 in front of a devnet whose answers a test can replace (a lagging replica, a 5xx
// after the chain took the message, a malformed body): the endpoint misbehaving as public endpoints do.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RpcHook = (m: { method: string; params: Record<string, unknown> }, forward: () => Promise<{ status: number; text: string }>) => Promise<{ status: number; text: string } | null>;

export async function rpcProxy(upstream: string, hook: { fn: RpcHook | null }): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      void (async () => {
        const m = JSON.parse(body || '{}') as { method?: string; params?: Record<string, unknown> };
        const forward = async () => {
          const r = await fetch(upstream + (req.url ?? ''), { method: req.method ?? 'POST', headers: { 'content-type': 'application/json' }, body });
          return { status: r.status, text: await r.text() };
        };
        const out = (hook.fn && (await hook.fn({ method: m.method ?? '', params: m.params ?? {} }, forward))) ?? (await forward());
        res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.text);
      })().catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
