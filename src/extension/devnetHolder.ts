// The local devnet this window serves (Start Devnet): one at a time, its chain kept in the extension's storage.
import { join } from 'node:path';
import * as factory from './nodeFactory.js';
import type { DevnetServer } from './nodeFactory.js';
import { ExtensionError } from './util.js';

/** The port a devnet's URL names. */
function portOf(url: string): number {
  return Number(new URL(url).port || 80);
}

export class DevnetHolder {
  private server: DevnetServer | null = null;
  /** a start under way: a second Start Devnet joins it (two devnets of this window would share one chain folder) */
  private starting: Promise<DevnetServer> | null = null;
  /** the port the start under way asked for (0: any free one) */
  private startingPort = 0;
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

  /** The devnet running (or starting, once up) on another port than `port` (0: any port is it), or null. */
  runningOtherThan(port: number): DevnetServer | null {
    const d = this.server;
    return d && port !== 0 && portOf(d.url) !== port ? d : null;
  }

  /**
   * Waits for a start under way that `port` would not join (one on another port, or on any port while `port` is
   * given), so that `runningOtherThan` then names the devnet it started.
   */
  async startedOtherThan(port: number): Promise<void> {
    while (this.joinsNot(port)) await this.starting?.catch(() => undefined);
  }

  /** A start is under way that a start on `port` would not be. */
  private joinsNot(port: number): boolean {
    return !!this.starting && port !== 0 && port !== this.startingPort;
  }

  /**
   * The devnet of this window: started on `port`, or the one running (or starting) when `port` is its own or 0. One
   * on another port, also one a start on any port (0) took, is refused (DEVNET_DATA_LOCKED): two devnets of this
   * window would share one chain folder.
   */
  async start(port: number): Promise<DevnetServer> {
    if (this.stopping) await this.stopping.catch(() => undefined); // its failure is the stop's to tell
    // checked again with no await before the start below: a start begun meanwhile is waited for too
    while (this.joinsNot(port)) await this.starting?.catch(() => undefined);
    const other = this.runningOtherThan(port);
    if (other) {
      throw new ExtensionError('DEVNET_DATA_LOCKED', `a devnet already runs in this window on port ${portOf(other.url)} (${other.url}): use it, or Stop Devnet first to start one on port ${port}`);
    }
    if (this.server) return this.server;
    if (!this.starting) this.startingPort = port;
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
