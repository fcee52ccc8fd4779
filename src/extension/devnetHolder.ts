// The local devnet this window serves (Start Devnet): one at a time, its chain kept in the extension's storage.
import { join } from 'node:path';
import * as factory from './nodeFactory.js';
import type { DevnetServer } from './nodeFactory.js';

export class DevnetHolder {
  private server: DevnetServer | null = null;
  /** a start under way: a second Start Devnet joins it (two devnets of this window would share one chain folder) */
  private starting: Promise<DevnetServer> | null = null;
  /** a stop under way: a Start Devnet meanwhile waits for it (its devnet is going, and holds the chain folder) */
  private stopping: Promise<boolean> | null = null;

  constructor(
    private readonly storage: () => string,
    private readonly log: (line: string) => void,
    private readonly changed: () => void,
  ) {}

  get current(): DevnetServer | null {
    return this.server;
  }

  async start(port: number): Promise<DevnetServer> {
    if (this.stopping) await this.stopping.catch(() => undefined); // its failure is the stop's to tell
    if (this.server) return this.server;
    this.starting ??= factory.startDevnet({ port, dataDir: join(this.storage(), 'devnet-chain'), log: (l) => this.log(`[devnet] ${l}`) }).then(
      (server) => {
        this.starting = null;
        this.server = server;
        this.log(`devnet serving at ${server.url}`);
        this.changed();
        return server;
      },
      (e: unknown) => {
        this.starting = null;
        throw e;
      },
    );
    return this.starting;
  }

  stop(): Promise<boolean> {
    this.stopping ??= this.stopNow().finally(() => (this.stopping = null));
    return this.stopping;
  }

  private async stopNow(): Promise<boolean> {
    await this.starting?.catch(() => undefined); // a devnet starting is stopped once up, not left running
    const d = this.server;
    if (!d) return false;
    this.server = null;
    await d.stop();
    this.log('devnet stopped');
    this.changed();
    return true;
  }
}
