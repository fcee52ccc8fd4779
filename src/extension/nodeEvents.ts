// The events of the hosted nodes (the user's, Alice's and Bob's), relayed to the extension: a node's log lines go
// to the output channel (a channel's disk all-clear, DISK_WRITE_AGAIN, is fired on too), its errors are logged (a
// refused partner's message with its wire type), the demo's events go to its journal, and every event is fired on.
import type { HostedEvent, HostedNode } from './hosted.js';
import type { LogLevel } from './hostLog.js';

export interface RelayHooks {
  log(line: string, level?: LogLevel): void;
  /** the demo's journal, while the demo runs */
  journal(node: HostedNode, event: HostedEvent['event']): void;
  fire(e: HostedEvent): void;
  changed(): void;
}

export class NodeEventRelay {
  private readonly subs = new Map<HostedNode, () => void>();

  constructor(private readonly h: RelayHooks) {}

  attach(node: HostedNode): void {
    const label = node.id === 'me' ? 'node' : node.label;
    const off = node.api.on((event) => {
      if (event.type === 'log') {
        this.h.log(`[${label}] ${event.message}`, event.level);
        // the all-clear of a channel's failed write is told too (notifications.ts); other lines are the log's only
        if (event.code === 'DISK_WRITE_AGAIN') this.h.fire({ node, event });
        return;
      }
      if (event.type === 'served') node.served = { lan: event.lan, wan: event.wan };
      // a refusal of a partner's message says it in words; the log keeps its wire type too (the CLI's --json `wire`)
      if (event.type === 'error') this.h.log(`[${label}] [${event.code}] ${event.message}${event.wire ? ` (wire: ${event.wire})` : ''}`, event.level === 'error' ? 'error' : 'warn');
      if (node.id !== 'me') this.h.journal(node, event);
      this.h.fire({ node, event });
      this.h.changed();
    });
    this.subs.set(node, off);
  }

  detach(node: HostedNode): void {
    this.subs.get(node)?.();
    this.subs.delete(node);
  }

  /** Stops relaying every node's events. */
  dispose(): void {
    for (const off of this.subs.values()) off();
    this.subs.clear();
  }
}
