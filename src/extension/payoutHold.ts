// A cooperative close run from this window tells what it paid in its own result, and the node's 'closed' event for
// the same channel comes while it runs (the node reads the payout before the close returns): two toasts said the
// same. While the close runs, the 'closed' notice of its channel is held: dropped if the close told the payout,
// shown if it did not (it failed, fell back to a close alone, or the payout was not read yet).

export class PayoutHold {
  /** held channels (node id and channel id), each with the notice that came meanwhile, if any */
  private readonly held = new Map<string, (() => void) | null>();

  /** Holds `key`'s payout notice until the returned function is called: `told` drops a held notice, else it shows. */
  hold(key: string): (told: boolean) => void {
    if (this.held.has(key)) return () => undefined; // a close of this channel already holds it
    this.held.set(key, null);
    let ended = false;
    return (told) => {
      if (ended) return;
      ended = true;
      const show = this.held.get(key);
      this.held.delete(key);
      if (!told) show?.();
    };
  }

  /** Shows the notice now, or holds it for the close under way on `key` (the last one that came). */
  showOrHold(key: string, show: () => void): void {
    if (this.held.has(key)) this.held.set(key, show);
    else show();
  }
}

/** The window's one hold, shared by withdraw and the notifications. */
export const payoutHold = new PayoutHold();

/** The key of a node's channel. */
export const holdKey = (nodeId: string, channelId: string): string => `${nodeId}:${channelId}`;
