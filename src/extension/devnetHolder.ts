// The local devnet this window serves (Start Devnet): one at a time, its chain kept in the extension's storage.
import { join } from 'node:path';
import * as factory from './nodeFactory.js';
import type { DevnetServer } from './nodeFactory.js';

export class DevnetHolder {
  private server: DevnetServer | null = null;

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
    this.server = await factory.startDevnet({ port, dataDir: join(this.storage(), 'devnet-chain'), log: (l) => this.log(`[devnet] ${l}`) });
    this.log(`devnet serving at ${this.server.url}`);
    this.changed();
    return this.server;
  }

  async stop(): Promise<boolean> {
    const d = this.server;
    if (!d) return false;
    this.server = null;
    await d.stop();
    this.log('devnet stopped');
    this.changed();
    return true;
  }
}
