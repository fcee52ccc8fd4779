// The start-up's start of the user's node (NodeHost.startIfLive, autoStart.ts: at activation and on a network
// switch): when the network's data folder holds channels with money in a contract (or A's deployment under way),
// the node starts so its watcher guards them. B's acceptance waiting for the partner's deployment starts nothing:
// it is said, with how to go on. The steps are the host's; the order and the answers are here, without VS Code.
import { shortAddress } from './util.js';

export type StartUpResult = 'started' | 'nothing' | 'waiting' | 'locked' | 'failed';

export interface StartUpSteps {
  /** the window is closing (deactivate): its node was stopped, or is being stopped, and nothing starts again */
  closed(): boolean;
  /** a node runs or starts already */
  busy(): boolean;
  /** the data folder is usable and exists, and the network has a key */
  ready(): Promise<boolean>;
  /** whether the folder holds channels to watch (null: another window or process holds it) */
  live(): Promise<boolean | null>;
  /** says the folder is held by another */
  locked(): void;
  /** starts the node (throws when it does not start) */
  start(): Promise<unknown>;
  /** with nothing to watch: says the acceptances waiting for a deployment, if any (whether it said some) */
  waiting(): Promise<boolean>;
}

/**
 * Starts the node when its folder holds channels to watch; returns what it did. A window closed during a read
 * (deactivate() stops the node it finds, and none runs yet) starts nothing after it: checked after each await.
 */
export async function startIfLive(s: StartUpSteps): Promise<StartUpResult> {
  if (s.closed() || s.busy()) return 'nothing';
  if (!(await s.ready()) || s.closed()) return 'nothing';
  const live = await s.live();
  if (s.closed()) return 'nothing';
  if (live === null) {
    // this window's own node, started meanwhile by a command, holds it: not another's
    if (s.busy()) return 'nothing';
    s.locked();
    return 'locked';
  }
  if (!live) return (await s.waiting()) && !s.closed() ? 'waiting' : 'nothing';
  try {
    await s.start();
    return 'started';
  } catch {
    return 'failed';
  }
}

/** B's acceptances waiting for their partner's deployment, as the start-up read them (the views' ids). */
export interface Waiting {
  contract: string | null;
  partner: string | null;
}

export const START_NODE = 'Start the Node';
export const DECLINE = 'Decline It';

/**
 * What the start-up says of acceptances whose partner has not deployed yet (none: null): the node was not started
 * for them, nothing of the user's is on chain, and what to do: start the node (it deposits once the contract
 * shows), or decline. Decline is offered for one acceptance (it names its channel); the view shows several.
 */
export function waitingWords(list: readonly Waiting[], network: string): { text: string; buttons: string[]; decline: string | null } | null {
  if (!list.length) return null;
  const one = list.length === 1 ? list[0]! : null;
  const whose = one ? `a channel from ${one.partner ? shortAddress(one.partner) : 'your partner'}` : `${list.length} channels`;
  const text =
    `you accepted ${whose} on ${network}, and ${one ? 'its contract was' : 'their contracts were'} not deployed when your node last looked: nothing of yours is on chain. ` +
    `The node was not started for ${one ? 'it' : 'them'}: Start the Node to deposit once ${one ? 'your partner deploys' : 'your partners deploy'}, ` +
    `or ${one ? 'Decline It to drop the acceptance' : 'decline the ones you no longer want in the SynChannel view'} (a partner who never deploys leaves it waiting).`;
  const decline = one?.contract ?? null;
  return { text, buttons: decline ? [START_NODE, DECLINE] : [START_NODE], decline };
}
