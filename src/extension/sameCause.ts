// One toast per cause. A node started by a command reads the chain as it starts: a refused key or an endpoint out
// of reach is raised by the node and then fails the command too. A failure whose cause was shown within the last
// REPEAT_WINDOW_MS is logged only. The cause of a chain endpoint's failure is the endpoint (on devnet the node's words
// and the command's differ); of any other failure, its shown text.

/** How long a shown failure keeps the same cause from being shown again. */
export const REPEAT_WINDOW_MS = 10_000;

/** The failures of the chain endpoint, said by network (its next steps: the API key, the devnet, the setting). */
export const ENDPOINT_CODES: readonly string[] = ['ENDPOINT_UNREACHABLE', 'ENDPOINT_ERROR', 'RATE_LIMITED', 'API_KEY_REJECTED'];

/** The node's own errors shown as a command's failure, with its next steps: the chain read as the node starts. */
export const NODE_CHAIN_CODES: readonly string[] = ['API_KEY_REJECTED', 'ENDPOINT_UNREACHABLE'];

/** Channels the node cannot read: always shown (it says money is not watched), and it covers the endpoint's failure. */
export const WATCH_FAILING = 'WATCH_FAILING';

export function causeOf(code: string, text: string, c: { network: string; endpoint: string }): string {
  return ENDPOINT_CODES.includes(code) || code === WATCH_FAILING ? `chain ${c.network} ${c.endpoint}` : text;
}

export class RecentFailures {
  private readonly shown = new Map<string, number>();

  constructor(
    private readonly windowMs = REPEAT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a failure is shown now: not when its cause was shown within the window (WATCH_FAILING always is). */
  show(code: string, text: string, c: { network: string; endpoint: string }): boolean {
    const t = this.now();
    for (const [k, at] of this.shown) if (t - at >= this.windowMs) this.shown.delete(k);
    const cause = causeOf(code, text, c);
    if (this.shown.has(cause) && code !== WATCH_FAILING) return false;
    this.shown.set(cause, t);
    return true;
  }
}
