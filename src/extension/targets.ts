// The targets of the commands, without VS Code: a tree row, or { party, channel, step } given by a caller (a
// notification's button, a test, Run Again).
import type { NetworkKind } from '../node/types.js';
import type { PartyId } from './hosted.js';
import type { TreeElement } from './tree.js';

export interface TargetArg {
  party?: PartyId;
  channel?: string;
  step?: string;
  /** copyAddress: which address of the target */
  what?: 'account' | 'contract' | 'partner';
  /** the network of the user's node whose channel it names (a toast's button): not another network's node's */
  network?: NetworkKind;
}

/**
 * The network a target of the user's node names when it is not `current` (the network the user's node runs on, or
 * would start on): a toast of the testnet node clicked after a switch to sandbox. null when it names none or the same.
 */
export function awayFrom(t: TreeElement | TargetArg, current: NetworkKind): NetworkKind | null {
  if ('kind' in t || !t.network || targetParty(t) !== 'me') return null;
  return t.network === current ? null : t.network;
}

/** Why a command on another network's channel is refused (the failure offers the switch back); `running`: the node runs. */
export function otherNetworkWords(channelNetwork: NetworkKind, current: NetworkKind, running = true): string {
  const now = running ? `your node runs on ${current} now` : `this window's network is ${current} now`;
  return `that channel is on ${channelNetwork}, and ${now}: switch to ${channelNetwork} to act on it`;
}

export function isTarget(a: unknown): a is TreeElement | TargetArg {
  if (!a || typeof a !== 'object' || Array.isArray(a)) return false;
  const o = a as Record<string, unknown>;
  return 'kind' in o || 'party' in o || 'channel' in o;
}

export function targetParty(t: TreeElement | TargetArg): PartyId {
  return 'kind' in t ? t.party : (t.party ?? 'me');
}

export function targetChannel(t: TreeElement | TargetArg | undefined): string | undefined {
  if (!t) return undefined;
  if ('kind' in t) return t.kind === 'node' ? undefined : t.channelId;
  return t.channel;
}

export function targetStep(t: TreeElement | TargetArg | undefined): bigint | undefined {
  if (!t) return undefined;
  if ('kind' in t) return t.kind === 'step' ? BigInt(t.step) : undefined;
  return t.step !== undefined ? BigInt(t.step) : undefined;
}

/**
 * The arguments Run Again reruns a command with: the channel the command acted on (`resolved`, picked or found when
 * it ran) put in place of a target that named none, the inputs kept, so nothing is asked again.
 */
export function rerunArgs(args: readonly unknown[], resolved: { party: PartyId; channel: string } | undefined): unknown[] {
  const [first, ...rest] = args;
  if (!resolved || (isTarget(first) && targetChannel(first))) return [...args];
  // no target (the palette), or one without a channel (a node row): the resolved one; an input stays an input
  return first === undefined || isTarget(first) ? [resolved, ...rest] : [resolved, ...args];
}
