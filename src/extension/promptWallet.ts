// The wallet a deposit prompt judges the amount by: read before the prompt opens (its figures are said as the amount
// is typed), and read again when the person presses Enter on an amount that read refuses: they may have topped the
// wallet up while the box was open. Pure (the node's read is all it needs).
import type { BalanceView, ChannelNodeApi } from '../node/types.js';
import { shortReason } from './balancesSnapshot.js';
import { errorMessage } from './util.js';

/** How long a prompt waits for the wallet it speaks of (an endpoint that does not answer retries for minutes). */
export const WALLET_READ_MS = 10_000;

export class PromptWallet {
  constructor(
    private readonly api: Pick<ChannelNodeApi, 'balanceTonDue'>,
    private wallet: BalanceView | null,
    private readonly ms = WALLET_READ_MS,
  ) {}

  /** The latest read (null: not read). */
  get now(): BalanceView | null {
    return this.wallet;
  }

  /**
   * Reads the wallet again, waiting at most `ms`: undefined once read (the checks judge by it from now on), else why
   * it could not be, said in the box instead of a refusal by the figures before (kept).
   */
  async again(): Promise<string | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`it did not answer within ${this.ms / 1000} s`)), this.ms)));
    try {
      this.wallet = await Promise.race([Promise.resolve().then(() => this.api.balanceTonDue()), late]);
      return undefined;
    } catch (e) {
      return `your wallet could not be read just now (${shortReason(errorMessage(e))}): press Enter to try again, or Escape`;
    } finally {
      clearTimeout(timer);
    }
  }
}
