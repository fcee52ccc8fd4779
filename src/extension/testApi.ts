// The test hooks activate() adds to its API in test mode only (the in-host tests drive the prompts, read the log,
// feed the notifications an event); the rest of the API is in extension.ts.
import type { BrokenChannelView, ChannelView, NetworkKind, NodeEvent } from '../node/types.js';
import type { contextKeys } from './contextKeys.js';
import type { NodeHost } from './host.js';
import type { PartyId } from './hosted.js';
import type { BalancesPanel } from './balancesPanel.js';
import type { ModelBuilder } from './model.js';
import type { partnerNotifications } from './notifications.js';
import type { Prompts, PromptRecord, ScriptedAnswer } from './prompts.js';
import type { ChannelTreeProvider } from './tree.js';
import { progressShown } from './ui.js';

/** Test-mode only: drive the prompts, read the log, run the start-up check, feed the notifications an event. */
export interface SynChannelTestApi {
  answer(...answers: ScriptedAnswer[]): void;
  unanswered(): ScriptedAnswer[];
  prompts(): PromptRecord[];
  click(message: RegExp, button: string): boolean;
  clearPrompts(): void;
  log(): string[];
  startup(): Promise<string>;
  /** the notifications' handling of an event of the user's node (the node raises these in the node tests) */
  notify(event: NodeEvent): void;
  channels(party: PartyId): ChannelView[];
  /** the channels a hosted node could not load */
  broken(party: PartyId): BrokenChannelView[];
  /** replaces (undefined: removes) a network's stored seed, as a lost SecretStorage would; returns the one it had */
  replaceSeed(network: NetworkKind, seedHex: string | undefined): Promise<string | undefined>;
  /** replaces (undefined: removes) a network's stored mnemonic, as a lost SecretStorage would; returns the one it had */
  replaceMnemonic(network: NetworkKind, words: string[] | undefined): Promise<string[] | undefined>;
  /** forgets a network's imported key folder */
  forgetKeyFolder(network: NetworkKind): Promise<void>;
  /** rebuilds the views' picture now and resolves when it is current */
  settle(): Promise<void>;
  /** resolves once no network switch, start or stop of the user's node is under way */
  quiet(): Promise<void>;
  /** whether the views are read again on a timer (a channel is closing: its countdown moves) */
  countdown(): boolean;
  /** the value this extension last set for a context key (synchannel.<key>) */
  contextKey(key: string): unknown;
  /** the titles of the progress notices shown so far (the latest 50) */
  progress(): string[];
  /** notes `command` (on `network`'s node) as under way in an extension host that never ends it (as one a window reload cut short) */
  cutShort(command: string, network?: NetworkKind): void;
  /** how many row objects the SynChannel tree keeps (one per row id) */
  treeRows(): number;
  /** the balances panel's chain reads kept are dropped, and each answers `ms` later from now on (0: at once) */
  slowReads(ms: number): void;
  /** the next start of the user's node stays 'starting' until the function returned is called */
  holdStart(): () => void;
}

/** The parts of the extension the test hooks reach. */
export interface TestParts {
  nodeHost: NodeHost;
  prompts: Prompts;
  model: ModelBuilder;
  notes: ReturnType<typeof partnerNotifications>;
  keys: ReturnType<typeof contextKeys>;
  startup: () => Promise<string>;
  cutShort: (command: string, network?: NetworkKind) => void;
  tree: ChannelTreeProvider;
  balances: Pick<BalancesPanel, 'slowReads'>;
}

export function testApi(p: TestParts): SynChannelTestApi {
  const { nodeHost, prompts, model, notes, keys, startup, cutShort, tree, balances } = p;
  return {
    answer: (...a: ScriptedAnswer[]) => prompts.answer(...a),
    unanswered: () => prompts.unanswered(),
    prompts: () => prompts.records(),
    click: (m: RegExp, b: string) => prompts.click(m, b),
    clearPrompts: () => prompts.clear(),
    log: () => nodeHost.recentLog(),
    startup,
    notify: (event: NodeEvent) => {
      const me = nodeHost.mainNode;
      if (me) notes.handle({ node: me, event });
    },
    channels: (party: PartyId) => nodeHost.node(party)?.api.channels() ?? [],
    broken: (party: PartyId) => nodeHost.node(party)?.api.brokenChannels() ?? [],
    replaceSeed: (network: NetworkKind, seedHex: string | undefined) => nodeHost.keys.replaceSeed(network, seedHex),
    replaceMnemonic: (network: NetworkKind, words: string[] | undefined) => nodeHost.keys.replaceMnemonic(network, words),
    forgetKeyFolder: (network: NetworkKind) => nodeHost.keys.forgetKeyFolder(network),
    settle: () => model.rebuild(),
    quiet: () => nodeHost.quiet(),
    countdown: () => model.counting,
    contextKey: (key: string) => keys.value(key),
    progress: () => [...progressShown],
    cutShort,
    treeRows: () => tree.keptRows(),
    slowReads: (ms: number) => balances.slowReads(ms),
    holdStart: () => nodeHost.holdStart(),
  };
}
