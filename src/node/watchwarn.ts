// A watch's warnings: the same one again within a minute is counted, not logged (a poll each time), and whoever saw
// a warning hears when it is over, once per warning shown.
import type { NodeContext } from './context.js';

/** How long the same warning of a watch is counted instead of logged again (ms). */
const REPEAT_WARNING_MS = 60_000;

export class WatchWarning {
  /** The last warning shown, and whether its all-clear was shown since */
  private last: { text: string; at: number; more: number; cleared: boolean } | null = null;

  constructor(private readonly ctx: NodeContext) {}

  warn(text: string): void {
    const now = Date.now();
    const last = this.last;
    if (last && last.text === text && now - last.at < REPEAT_WARNING_MS) {
      last.more++;
      return;
    }
    const more = last?.text === text && last.more ? ` (${last.more} more time(s) in the last ${Math.round((now - last.at) / 1000)} s)` : '';
    this.last = { text, at: now, more: 0, cleared: false };
    this.ctx.log(`${text}${more}`, 'warn');
  }

  /**
   * The all-clear, at the warning's level. Once per warning shown: an endpoint failing every other poll gives a
   * warning and an all-clear a minute.
   */
  clear(what: string): void {
    const last = this.last;
    if (!last || last.cleared) return;
    last.cleared = true;
    this.ctx.log(`watching ${what}: the chain reads as expected again (the warning is over)`, 'warn');
  }
}
