// The chain behind an HTTP endpoint in the toncenter v2 shape, through @ton/ton's TonClient: TON testnet,
// or the local devnet (`synchannel devnet`). Waits by polling transactions; the HTTP layer paces requests to
// toncenter's rate limit and retries 429/5xx.
import { Address, Cell, type ContractProvider, type Message, type StateInit, type Transaction } from '@ton/core';
import { TonClient } from '@ton/ton';
import { TESTNET_FAUCET_BOT } from '../core/networks.js';
import { BaseChain, friendly, WALLET_MESSAGE_TTL, type AccountInfo } from './base.js';
import { ChainError } from './errors.js';
import { retryingAdapter, withOpSignal, type RetryOptions } from './http.js';
import type { TxCursor } from './payout.js';
import type { OpOptions } from './types.js';

export const TESTNET_ENDPOINT = 'https://testnet.toncenter.com/api/v2/jsonRPC';

export interface TonClientChainOptions {
  kind: 'devnet' | 'testnet';
  /** The JSON-RPC URL (…/jsonRPC), or the base URL of a devnet or of toncenter's /api/v2 (…/jsonRPC is appended). Default for testnet: toncenter. */
  endpoint?: string;
  /** Sent as X-API-Key (toncenter: from @tonapibot). */
  apiKey?: string;
  retry?: RetryOptions;
  /** Poll interval while waiting for transactions (default 500 ms devnet, 2000 ms testnet). */
  txPollMs?: number;
  /** Default poll interval of watchChannel (default 500 ms devnet, 3000 ms testnet). */
  watchPollMs?: number;
  /** Default operation timeout (default 60 s devnet, 180 s testnet). */
  timeoutMs?: number;
  /**
   * Requests started per second at most, operations first, background watch reads after (default: testnet 1
   * without an API key and 10 with one, toncenter's limits; devnet not paced). 0: not paced.
   */
  requestsPerSecond?: number;
}

const ZERO_ADDRESS = new Address(0, Buffer.alloc(32));
/** The share of a paced endpoint's limit the watches' idle polls use together: the rest is for operations, closes and other programs. */
export const WATCH_SHARE = 0.5;

/** Normalises an endpoint to the JSON-RPC URL; throws BAD_INPUT for anything that is not http(s). */
export function jsonRpcEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new ChainError('BAD_INPUT', `"${endpoint}" is not a URL: give the endpoint as http(s)://host[:port]/…, e.g. ${TESTNET_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ChainError('BAD_INPUT', `the endpoint must be http:// or https://, got ${url.protocol}`);
  }
  if (!/\/jsonRPC$/.test(url.pathname)) url.pathname = url.pathname.replace(/\/+$/, '') + '/jsonRPC';
  return url.toString();
}

export class TonClientChain extends BaseChain {
  readonly kind: 'devnet' | 'testnet';
  readonly endpoint: string;
  readonly client: TonClient;
  protected readonly defaultTimeoutMs: number;
  protected readonly defaultPollMs: number;
  protected readonly txPollMs: number;
  private readonly adapter: ReturnType<typeof retryingAdapter>;
  private readonly apiKey: string | undefined;
  private readonly requestsPerSecond: number;

  constructor(opts: TonClientChainOptions) {
    super();
    if (opts.kind !== 'devnet' && opts.kind !== 'testnet') throw new ChainError('BAD_INPUT', `TonClientChain serves 'devnet' or 'testnet', not '${String(opts.kind)}'`);
    this.kind = opts.kind;
    if (!opts.endpoint && opts.kind === 'devnet') throw new ChainError('BAD_INPUT', 'a devnet chain needs its URL: start one with `synchannel devnet` and pass the URL it prints');
    this.endpoint = jsonRpcEndpoint(opts.endpoint ?? TESTNET_ENDPOINT);
    const devnet = opts.kind === 'devnet';
    this.txPollMs = opts.txPollMs ?? (devnet ? 500 : 2000);
    this.defaultPollMs = opts.watchPollMs ?? (devnet ? 500 : 3000);
    this.defaultTimeoutMs = opts.timeoutMs ?? (devnet ? 60_000 : 180_000);
    this.apiKey = opts.apiKey || undefined;
    const unreachableHint = devnet
      ? 'check that `synchannel devnet` is running there (or Start Devnet in VS Code), or give the node the URL it printed (--devnet-url)'
      : 'check your network and the toncenter endpoint (--testnet-endpoint, or the testnet endpoint setting in VS Code)';
    const requestsPerSecond = opts.requestsPerSecond ?? (devnet ? 0 : this.apiKey ? 10 : 1);
    const badPortHint = devnet
      ? 'start the devnet on another port (synchannel devnet --port 8081, or Start Devnet in VS Code) and give the node the URL it prints (--devnet-url)'
      : 'give the toncenter endpoint with its own port (--testnet-endpoint, or the testnet endpoint setting in VS Code)';
    this.adapter = retryingAdapter({ unreachableHint, badPortHint, requestsPerSecond, ...opts.retry });
    this.requestsPerSecond = opts.retry?.requestsPerSecond ?? requestsPerSecond;
    this.client = new TonClient({ endpoint: this.endpoint, apiKey: this.apiKey, httpAdapter: this.adapter });
  }

  /** Checks that the endpoint answers (and accepts the API key); resolves to the latest masterchain seqno. */
  async ping(o: Pick<OpOptions, 'signal'> = {}): Promise<number> {
    return this.guard(o.signal, async () => (await this.client.getMasterchainInfo()).latestSeqno);
  }

  protected override watchBudget(): number {
    return this.requestsPerSecond > 0 && Number.isFinite(this.requestsPerSecond) ? this.requestsPerSecond * WATCH_SHARE : 0;
  }

  protected provider(address: Address, init?: StateInit | null): ContractProvider {
    return this.client.provider(address, init ?? null);
  }

  protected async account(address: Address): Promise<AccountInfo> {
    const st = await this.client.getContractState(address).catch((e: unknown) => {
      // TonClient parses the balance with BigInt(): a string that is not a number throws a SyntaxError, a
      // fraction a RangeError
      if (e instanceof SyntaxError || e instanceof RangeError) throw new ChainError('ENDPOINT_ERROR', `${this.endpoint} returned an unreadable balance or state for ${friendly(address)} (${e.message}): use another endpoint`);
      throw e;
    });
    if (st.balance < 0n) throw new ChainError('ENDPOINT_ERROR', `${this.endpoint} returned a negative balance for ${friendly(address)}: use another endpoint`);
    const state = st.state === 'active' ? 'active' : st.state === 'frozen' ? 'frozen' : 'uninit';
    let data: Cell | null = null;
    if (state === 'active' && st.data) {
      try {
        data = Cell.fromBoc(st.data)[0] ?? null;
      } catch (e) {
        throw new ChainError('ENDPOINT_ERROR', `${this.endpoint} returned unreadable account data for ${friendly(address)}: ${(e as Error).message}`);
      }
    }
    const at = this.chainTime(st.timestampt);
    return { state, balance: st.balance, data, lastLt: lastLtOf(st.lastTransaction), ...(at !== null ? { at } : {}) };
  }

  /**
   * The chain's time. An answer that gives none (sync_utime 0) is read again, never replaced by this computer's
   * clock, which may run ahead: messages would be called expired, and the node's marks dropped, while they may land.
   */
  protected async chainNow(): Promise<number> {
    const t = this.chainTime((await this.client.getContractState(ZERO_ADDRESS)).timestampt);
    if (t === null) throw new ChainError('ENDPOINT_ERROR', `${this.endpoint} answered no chain time (sync_utime 0): try again, or use another endpoint if it goes on`, { retryable: true });
    return t;
  }

  /**
   * The chain's time an answer gives (null: none). One past what a wallet message's 32-bit expiry holds is not a
   * time: refused (read again), never kept as the newest time seen, which every later message's expiry starts from.
   */
  private chainTime(raw: unknown): number | null {
    const t = Number(raw);
    if (!Number.isFinite(t) || t <= 0) return null;
    if (t >= 2 ** 32 - WALLET_MESSAGE_TTL) throw new ChainError('ENDPOINT_ERROR', `${this.endpoint} answered a chain time (${String(raw)}) that is not a time: use another endpoint`);
    return t;
  }

  protected async sendExternal(message: Message): Promise<void> {
    await this.client.sendMessage(message).catch((e: unknown) => {
      if (e instanceof ChainError) throw e;
      // The HTTP layer took the answer (200, ok); TonClient could not read its result: the endpoint may have taken it.
      throw new ChainError('ENDPOINT_ERROR', `${this.endpoint} answered the send with something unexpected (${String((e as Error)?.message ?? e).slice(0, 200)}): the message may have been taken`, { cause: e, sent: true });
    });
  }

  protected async transactionsPage(address: Address, limit: number, before: TxCursor | null): Promise<Transaction[]> {
    if (!before) return this.client.getTransactions(address, { limit, archival: true });
    // toncenter starts a page at the given transaction. Not every endpoint does (one starts after it): a page is
    // asked with one more and cut at the cursor by logical time, never by dropping its first transaction blind,
    // which could be the one awaited (a wallet message then called never sent).
    const page = await this.client.getTransactions(address, { limit: limit + 1, lt: before.lt.toString(), hash: before.hash.toString('base64'), inclusive: true, archival: true });
    return page.filter((tx) => tx.lt < before.lt).slice(0, limit);
  }

  protected fundingHint(address: Address): string {
    return this.kind === 'testnet'
      ? `get testnet coins for ${friendly(address)} from the faucet bot ${TESTNET_FAUCET_BOT} on Telegram (send it the address), then retry`
      : `on the devnet, get test coins for ${friendly(address)} with the faucet command ("Get Test Coins" in VS Code), then retry`;
  }

  protected override mapError(e: unknown): Error {
    if (e instanceof ChainError) return e;
    const msg = (e as Error)?.message ?? String(e);
    if (/^(Received error|Malformed response)/.test(msg)) {
      return new ChainError('ENDPOINT_ERROR', `${this.endpoint} gave an unexpected answer: ${msg.slice(0, 300)}`, { cause: e });
    }
    return super.mapError(e);
  }

  // ------------------------------------------------------------ devnet extras

  private async devnetCall(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (this.kind !== 'devnet') throw new ChainError('BAD_INPUT', `${method} exists only on the devnet; on testnet use ${TESTNET_FAUCET_BOT}`);
    return this.guard(signal, () =>
      withOpSignal(signal, async () => {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (this.apiKey) headers['X-API-Key'] = this.apiKey;
        const res = (await this.adapter({
          url: this.endpoint,
          method: 'post',
          headers,
          data: JSON.stringify({ id: '1', jsonrpc: '2.0', method, params }),
        } as unknown as Parameters<typeof this.adapter>[0])) as unknown as { data: { result?: unknown } };
        const result = res.data?.result;
        if (!result || typeof result !== 'object') throw new ChainError('ENDPOINT_ERROR', `${this.endpoint} answered ${method} without a result: is this a SynChannel devnet?`);
        return result as Record<string, unknown>;
      }),
    );
  }

  /** Devnet only: sends `amount` (default 100 TON) from the devnet faucet; resolves to the new balance. */
  async faucet(address: Address, amount?: bigint, o: Pick<OpOptions, 'signal'> = {}): Promise<bigint> {
    const r = await this.devnetCall('devnet.faucet', { address: address.toRawString(), ...(amount === undefined ? {} : { amount: amount.toString() }) }, o.signal);
    return BigInt(String(r.balance ?? 0));
  }

  /** Devnet only: moves the devnet's chain time forward; resolves to the new chain time. */
  async advanceTime(seconds: number, o: Pick<OpOptions, 'signal'> = {}): Promise<number> {
    const r = await this.devnetCall('devnet.advanceTime', { seconds: Math.floor(seconds) }, o.signal);
    return Number(r.now);
  }
}

/** The logical time of an account's last transaction as an endpoint gives it (0 when it gives none). */
function lastLtOf(t: { lt: string } | null | undefined): bigint {
  try {
    const lt = t && /^\d{1,20}$/.test(t.lt) ? BigInt(t.lt) : 0n;
    return lt < 1n << 63n ? lt : 0n; // a logical time is a u64 far below 2^63: anything else is not one
  } catch {
    return 0n;
  }
}
