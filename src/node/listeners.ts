// The node's event listeners: a listener that throws never breaks the node, and the first one (the host's) also
// gets what happened while the node started (recovery, torn tails), up to EARLY_EVENTS of it.
import type { NodeEvent } from './types.js';

/** Start-up events kept for the first listener. */
const EARLY_EVENTS = 200;

export class Listeners {
  private readonly listeners = new Set<(e: NodeEvent) => void>();
  /** events before the first listener, for it */
  private early: NodeEvent[] | null = [];

  on(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    const early = this.early;
    this.early = null;
    for (const e of early ?? []) tell(listener, e);
    return () => this.listeners.delete(listener);
  }

  emit(e: NodeEvent): void {
    if (this.early && this.listeners.size === 0 && this.early.length < EARLY_EVENTS) this.early.push(e);
    for (const l of this.listeners) tell(l, e);
  }
}

function tell(listener: (event: NodeEvent) => void, e: NodeEvent): void {
  try {
    listener(e);
  } catch {
    // a UI listener must not break the node
  }
}
