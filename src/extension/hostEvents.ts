// What the host tells the rest of the extension: that anything a view shows may have changed (debounced: a burst of
// node events makes one redraw), and each event of a hosted node (nodeEvents.ts relays them here).
import * as vscode from 'vscode';
import type { HostedEvent } from './hosted.js';

/** How long a change waits for more before it fires (ms). */
const CHANGE_DEBOUNCE_MS = 25;

export class HostEvents implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (debounced) when anything a view shows may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly nodeEvents = new vscode.EventEmitter<HostedEvent>();
  readonly onNodeEvent = this.nodeEvents.event;
  private changeTimer: ReturnType<typeof setTimeout> | null = null;

  /** Something a view shows may have changed: onDidChange fires once for all such calls within the debounce. */
  fireChanged(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      this.changed.fire();
    }, CHANGE_DEBOUNCE_MS);
  }

  fireNodeEvent(e: HostedEvent): void {
    this.nodeEvents.fire(e);
  }

  dispose(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changed.dispose();
    this.nodeEvents.dispose();
  }
}
