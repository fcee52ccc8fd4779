// What a failure means once a wallet message went out: a final answer stands; a stop or a failed read says the
// message may still land (`sent`), so that nobody reads it as "nothing happened" and sends it again.
import { ChainError } from './errors.js';

/** Final answers a wait for a sent message may end with (CANCELLED is the caller's stop, not an answer). */
const VERDICTS: ReadonlySet<string> = new Set(['CONTRACT_REJECTED', 'WALLET_REJECTED', 'INSUFFICIENT_FUNDS', 'NOT_DEPLOYED', 'TIMEOUT', 'CLOSED']);

/**
 * Once a message is sent: a final answer stands, a stop by the caller (`signal`) is CANCELLED and a read that
 * fails for good is TIMEOUT, both saying that it may still land, with `sent`.
 */
export async function sent<T>(what: string, wait: Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await wait;
  } catch (e) {
    if (e instanceof ChainError && e.sent) throw e;
    // The wait cut short by the operation's timeout is no answer: the message went out.
    const timedOut = !!signal?.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError';
    if (e instanceof ChainError && VERDICTS.has(e.code) && !(timedOut && e.code === 'TIMEOUT')) throw e;
    if (timedOut) throw new ChainError('TIMEOUT', `${what} was sent but not seen on chain in time; it may still land: check the channel and the wallet balance before retrying`, { cause: e, sent: true });
    if (signal?.aborted || (e instanceof ChainError && e.code === 'CANCELLED')) {
      throw new ChainError('CANCELLED', `you stopped waiting, but ${what} was sent: it may still land (the node keeps watching the chain); check the channel and your wallet before you retry`, { cause: e, sent: true });
    }
    throw new ChainError('TIMEOUT', `${what} was sent, but reading the chain failed (${(e as Error).message}); it may still land: check the channel and the wallet balance before retrying`, { cause: e, sent: true });
  }
}

/** A stop while the message was being handed to the endpoint: it may have gone out, or not. */
export function stoppedWhileSending(what: string, e: ChainError): ChainError {
  return new ChainError('CANCELLED', `you stopped while ${what} was being sent: it may have gone out (the node keeps watching the chain); check the channel and your wallet before you retry`, { cause: e, sent: true });
}
