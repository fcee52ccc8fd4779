// The local devnet this window serves (Start Devnet): one at a time, its chain kept in the extension's storage.
import { join } from 'node:path';
import * as factory from './nodeFactory.js';
import type { DevnetServer } from './nodeFactory.js';

export class DevnetHolder {
  private server: DevnetServer | null = null;
  /** a start under way: a second Start Devnet joins it (two devnets of this window would share one chain folder) */
  private starting: Promise<DevnetServer> | null = null;

  constructor(
    private readonly storage: () => string,
    private readonly log: (line: string) => void,
    private readonly changed: () => void,
  ) {}

  get current(): DevnetServer | null {
    return this.server;
  }

  async start(port: number): Promise<DevnetServer> {
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

  async stop(): Promise<boolean> {
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
