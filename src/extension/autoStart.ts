// The user's node started or restarted without a Start Node of the user's: at start-up when this network's data
// folder holds channels to watch (startUp.ts decides), on a network switch, and when a data folder another window
// or process held is free again (lockWatch.ts looks). The starts themselves are userNode.ts's.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { NetworkKind } from '../node/types.js';
import { awaitsDeployment, startsNode } from '../node/uiRules.js';
import type { NodeStatus } from './hosted.js';
import { FolderLookout } from './lockWatch.js';
import * as factory from './nodeFactory.js';
import { DECLINE, START_NODE, startIfLive, waitingWords, type StartUpResult } from './startUp.js';
import type { UserNode, UserNodeHooks } from './userNode.js';

/** What the automatic starts need of the host. */
export type AutoStartHooks = Pick<UserNodeHooks, 'network' | 'dataDir' | 'dataDirProblem' | 'keys' | 'log' | 'tell'>;

export class AutoStart {
  private restartChain: Promise<void> = Promise.resolve();

  /** looks again at a data folder another process holds, while the status says so */
  private readonly lookout = new FolderLookout({
    network: () => this.h.network(),
    locked: () => this.user.status === 'locked',
    busy: () => this.user.busy,
    dataDir: (n) => this.h.dataDir(n),
    freed: (network, live) => this.folderFreed(network, live),
  });

  constructor(
    private readonly user: UserNode,
    private readonly h: AutoStartHooks,
  ) {}

  /**
   * At start-up: when this network's data folder holds channels with money in a contract, start the node so its
   * watcher guards them; B's acceptances waiting for a deployment are said instead (startUp.ts). Reads the folder
   * without starting anything else; the node bundle loads only if the folder exists. Returns what it did.
   */
  startIfLive(): Promise<StartUpResult> {
    const network = this.h.network();
    const dir = this.h.dataDir(network);
    // the folder's channels, read once: whether the node starts for them, else the acceptances to say
    let keys: factory.ChannelKey[] = [];
    return startIfLive({
      closed: () => this.user.closed,
      busy: () => this.user.busy,
      ready: async () => !this.h.dataDirProblem() && existsSync(dir) && (await this.h.keys().hasKey(network)),
      live: async () => {
        const read = await factory.channelKeys(dir);
        keys = read ?? [];
        return read === null ? null : read.some((k) => startsNode(k.phase, k.me));
      },
      locked: () => this.user.locked(`another window or process holds ${dir}: it watches the channels there`),
      start: () => this.user.ensure({ why: `SynChannel: starting the node to watch your ${network} channels…` }),
      waiting: async () => {
        const said = waitingWords(keys.filter((k) => awaitsDeployment(k.phase, k.me)), network);
        if (!said) return false;
        this.h.log(`start-up: ${said.text}`);
        void this.h.tell('info', `SynChannel: ${said.text}`, ...said.buttons).then(async (pick) => {
          // through the commands: a failed start or decline is shown as theirs
          if (pick === START_NODE || pick === DECLINE) await vscode.commands.executeCommand('synchannel.startNode');
          if (pick === DECLINE && this.user.node) await vscode.commands.executeCommand('synchannel.decline', { party: 'me', channel: said.decline });
        });
        return true;
      },
    });
  }

  /**
   * Network switch: when the user's node runs (or was meant to run: its last start failed), it restarts on the
   * network now set; calls are serialized, and each one reports its own start failure.
   */
  restartForNetwork(): Promise<void> {
    const next = this.restartChain.then(async () => {
      const starting = this.user.starting;
      if (starting) await starting.catch(() => undefined);
      if (this.user.runningNetwork === this.h.network()) return;
      await this.user.stop({ keepWanted: true });
      // what was said of the old network's folder (locked, a failed start) is not true of the new one
      this.user.forgetFolder();
      if (this.user.wanted) await this.user.ensure();
      else if ((await this.startIfLive()) === 'failed') throw this.user.startError;
    });
    this.restartChain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once no network switch, start or stop of the user's node is under way (what a test starts from). */
  async quiet(): Promise<void> {
    for (let round = 0; round < 5; round++) {
      const chain = this.restartChain;
      await chain;
      await this.user.startSettled();
      await this.user.stopping;
      if (chain === this.restartChain && !this.user.starting && !this.user.stopping) return;
    }
  }

  /** The user's node's status changed: the held folder is looked at while the status says held. */
  statusSet(s: NodeStatus): void {
    this.lookout.status(s === 'locked');
  }

  /** The window closes: no more looks. */
  stop(): void {
    this.lookout.stop();
  }

  /** The held folder is free: this window's node starts there if it has channels to watch. */
  private folderFreed(network: NetworkKind, live: boolean): void {
    this.user.freed();
    this.h.log(`the ${network} data folder is free again: the window or process that held it stopped`);
    if (!live) return; // nothing to watch: the user starts the node when they want it
    const why = `SynChannel: the window that watched your ${network} channels stopped: starting the node here…`;
    void this.user.ensure({ why }).then(() => this.h.tell('info', `SynChannel: the window or process that watched your ${network} channels stopped: this window's node watches them now.`), () => undefined);
  }
}
