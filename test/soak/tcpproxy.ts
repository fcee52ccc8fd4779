// A TCP proxy on 127.0.0.1 between two nodes that hurts the stream: it delays chunks (in order), cuts
// connections at random moments, refuses new ones for a while, and duplicates a chunk now and then. The p2p
// frames are encrypted (Noise), so a duplicated or cut chunk breaks the connection: the sessions reconnect and
// resend, which is how frames get dropped, duplicated and reordered for the application.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Rng } from './rng.js';

export interface ProxyFaults {
  /** largest delay of a chunk, ms (0: none) */
  maxDelayMs: number;
  /** chance per chunk that the connection is cut right there */
  cutPerChunk: number;
  /** chance per chunk that it is sent twice */
  dupPerChunk: number;
}

export const CALM: ProxyFaults = { maxDelayMs: 0, cutPerChunk: 0, dupPerChunk: 0 };

export class TcpProxy {
  readonly stats = { connections: 0, refused: 0, cuts: 0, duplicated: 0, delayed: 0, chunks: 0 };
  faults: ProxyFaults = CALM;
  private refuseUntil = 0;
  private readonly live = new Set<Socket>();
  private server!: Server;
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly rng: Rng,
  ) {}

  async listen(port = 0): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Cuts every connection now. */
  cutAll(): void {
    for (const s of this.live) s.destroy();
    this.stats.cuts++;
  }

  /** Refuses new connections for `ms` (and cuts the live ones): a partition. */
  partition(ms: number): void {
    this.refuseUntil = Date.now() + ms;
    this.cutAll();
  }

  private accept(client: Socket): void {
    if (Date.now() < this.refuseUntil) {
      this.stats.refused++;
      client.destroy();
      return;
    }
    this.stats.connections++;
    const server = connect(this.targetPort, '127.0.0.1');
    const both = [client, server];
    for (const s of both) {
      this.live.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.live.delete(s);
        for (const o of both) o.destroy();
      });
    }
    this.pipe(client, server);
    this.pipe(server, client);
  }

  /** Forwards chunks in order, each after its own delay (a chain of timers keeps the order). */
  private pipe(from: Socket, to: Socket): void {
    let tail = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      this.stats.chunks++;
      const f = this.faults;
      const delay = f.maxDelayMs ? this.rng.int(0, f.maxDelayMs) : 0;
      const cut = this.rng.chance(f.cutPerChunk);
      const dup = this.rng.chance(f.dupPerChunk);
      if (delay) this.stats.delayed++;
      tail = tail.then(
        () =>
          new Promise<void>((resolve) => {
            const go = () => {
              if (cut) {
                this.stats.cuts++;
                from.destroy();
                to.destroy();
              } else if (!to.destroyed) {
                to.write(chunk);
                if (dup) {
                  this.stats.duplicated++;
                  to.write(chunk);
                }
              }
              resolve();
            };
            if (delay) setTimeout(go, delay);
            else go();
          }),
      );
    });
  }

  async close(): Promise<void> {
    for (const s of this.live) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
