// What the host (host.ts) hosts, as the rest of the extension names it: the parties, a hosted node and its events,
// the user's node's status. Types only, so any module may import them.
import type { ChannelNodeApi, NodeEvent, ServeResult } from '../node/types.js';

export type PartyId = 'me' | 'alice' | 'bob';
/** locked: another window or process holds this network's data folder (it watches the channels there) */
export type NodeStatus = 'stopped' | 'starting' | 'running' | 'error' | 'locked';

export interface HostedNode {
  id: PartyId;
  /** "you", "Alice", "Bob" */
  label: string;
  api: ChannelNodeApi;
  served: ServeResult | null;
  /** the mode the node was started with (the setting may have changed since: it applies on a restart) */
  autoMode?: boolean;
}

export interface HostedEvent {
  node: HostedNode;
  event: NodeEvent;
}
