// An HTTP proxy on 127.0.0.1 in front of the devnet's RPC: when faulty, it answers some requests with 500/502,
// holds some and then drops the connection (a timeout), and resets others at once. While the devnet restarts,
// every request fails on its own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Rng } from './rng.js';

export interface RpcFaults {
  error: number;
  hang: number;
  reset: number;
  /** how long a hung request is held before its connection is dropped */
  hangMs: number;
  /** the share of hung requests held past the client's own request timeout (15 s) instead */
  longHang: number;
}

export const RPC_OK: RpcFaults = { error: 0, hang: 0, reset: 0, hangMs: 0, longHang: 0 };
/** Past the RPC client's request timeout. */
const LONG_HANG_MS = 16_000;

export class RpcProxy {
  readonly stats = { requests: 0, errors: 0, hangs: 0, timeouts: 0, resets: 0, upstreamDown: 0 };
  faults: RpcFaults = RPC_OK;
  private server!: Server;
  url = '';

  constructor(
    private readonly upstream: () => string,
    private readonly rng: Rng,
  ) {}

  async listen(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const f = this.faults;
    const roll = this.rng.next();
    if (roll < f.error) {
      this.stats.errors++;
      res.writeHead(this.rng.chance(0.5) ? 500 : 502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'injected fault', code: 500 }));
      return;
    }
    if (roll < f.error + f.hang) {
      const long = this.rng.chance(f.longHang);
      if (long) this.stats.timeouts++;
      else this.stats.hangs++;
      setTimeout(() => req.socket.destroy(), long ? LONG_HANG_MS : f.hangMs);
      return;
    }
    if (roll < f.error + f.hang + f.reset) {
      this.stats.resets++;
      req.socket.destroy();
      return;
    }
    try {
      const up = await fetch(`${this.upstream()}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = Buffer.from(await up.arrayBuffer());
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      res.end(body);
    } catch {
      this.stats.upstreamDown++;
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'devnet unreachable', code: 502 }));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
