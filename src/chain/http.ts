// The HTTP layer under @ton/ton's TonClient: an axios adapter over fetch that paces its requests to the
// endpoint's rate limit (operations before background watch reads), retries 429/5xx and connection failures with
// exponential backoff (honouring Retry-After), and turns the rest into typed ChainErrors. The current
// operation's AbortSignal, and whether it runs in the background, reach it through `withOpSignal`
// (AsyncLocalStorage).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TonClientParameters } from '@ton/ton';
// p-queue: a well-kept priority queue with a sliding-window rate limit (libp2p already depends on it).
import PQueue from 'p-queue';
import { ChainError } from './errors.js';
import { unnamed } from '../core/unnamed.js';

export type HttpAdapter = NonNullable<TonClientParameters['httpAdapter']>;

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** First backoff delay (default 300 ms); doubles each retry, with jitter. */
  baseDelayMs?: number;
  /** Cap of one backoff delay, and of Retry-After (default 5000 ms). */
  maxDelayMs?: number;
  /** Timeout of one HTTP request (default 15000 ms). */
  requestTimeoutMs?: number;
  /** What to suggest when the endpoint cannot be reached (default: check the URL and the network). */
  unreachableHint?: string;
  /** What to do when the endpoint's port is one fetch refuses to dial ("bad port"). */
  badPortHint?: string;
  /** Called before each retry (for logs and progress). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /**
   * At most this many requests start per second (each attempt counts), shared by every adapter of the same
   * endpoint in this process; operations go before background reads. Absent or 0: not paced.
   */
  requestsPerSecond?: number;
}

interface OpContext {
  signal: AbortSignal | undefined;
  /** a background read (a channel watch's poll): it waits while operations wait for the endpoint */
  background: boolean;
}

const opContext = new AsyncLocalStorage<OpContext>();
/** Calls inside withOpSignal now. On Node 20 an enabled AsyncLocalStorage puts async hooks on every promise of
 * the process (the node's payments too, ~10% of their time), so it is enabled only while a call runs. */
let calls = 0;

/**
 * Runs `fn` with `signal` visible to every HTTP request (and backoff sleep) it makes. `background`: its requests
 * yield to operations' (default: as the caller's context, else not background).
 */
export async function withOpSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>, background?: boolean): Promise<T> {
  calls++;
  try {
    return await opContext.run({ signal, background: background ?? opContext.getStore()?.background ?? false }, fn);
  } finally {
    if (--calls === 0) opContext.disable();
  }
}

/** One pacer per endpoint and rate, for every chain object of this process (a network switch makes new ones). */
const pacers = new Map<string, PQueue>();
const PRIORITY = { operation: 1, background: 0 } as const;
/**
 * The share of the endpoint's limit the pacer uses: requests spaced exactly at the limit arrive closer together
 * than sent (latency varies), and a strict limiter then refuses a fifth of them (429).
 */
const PACE_SHARE = 0.9;
/** Until when (performance.now()) a pacer holds every request after a 429. */
const heldUntil = new WeakMap<PQueue, number>();

/**
 * A 429 holds every request to that endpoint for `ms`, not only the one refused: the limit is for all of them.
 * Exported for its test.
 */
export function holdPacer(q: PQueue | null, ms: number): void {
  if (!q || ms <= 0) return;
  const until = performance.now() + ms;
  if ((heldUntil.get(q) ?? 0) >= until) return;
  heldUntil.set(q, until);
  q.pause();
  // A timer may fire before performance.now() says its time came (the event loop's clock lags under load; a held
  // longer since): it waits out what is left, never leaving the queue paused with no timer to start it.
  const resume = () => {
    const left = (heldUntil.get(q) ?? 0) - performance.now();
    if (left > 1) return void setTimeout(resume, Math.ceil(left)).unref();
    heldUntil.delete(q);
    q.start();
  };
  setTimeout(resume, ms).unref();
}

/** The pacer of an endpoint at a rate (null: not paced). Exported for its test. */
export function pacerFor(url: string, perSecond: number | undefined): PQueue | null {
  if (!perSecond || perSecond <= 0 || !Number.isFinite(perSecond)) return null;
  const key = `${perSecond} ${url}`;
  let q = pacers.get(key);
  if (!q) {
    // A sliding window (strict): never more than the limit in any second, no burst at a window's edge; a rate that
    // is not a whole number spaces single requests (1.5: one every 667 ms).
    q = Number.isInteger(perSecond)
      ? new PQueue({ intervalCap: perSecond, interval: Math.ceil(1000 / PACE_SHARE), strict: true })
      : new PQueue({ intervalCap: 1, interval: Math.ceil(1000 / (perSecond * PACE_SHARE)), strict: true });
    pacers.set(key, q);
  }
  return q;
}

/** Waits for the pacer's permission to start one request (at once when not paced). */
async function paced(q: PQueue | null, ctx: OpContext | undefined): Promise<void> {
  if (!q) return;
  const signal = ctx?.signal;
  try {
    await q.add(() => undefined, { priority: ctx?.background ? PRIORITY.background : PRIORITY.operation, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (signal?.aborted) throw abortedError(signal);
    throw e;
  }
}

export function abortedError(signal: AbortSignal): ChainError {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  if (reason?.name === 'TimeoutError') return new ChainError('TIMEOUT', 'the operation timed out', { cause: reason });
  if (reason instanceof ChainError) return reason;
  return new ChainError('CANCELLED', 'the operation was cancelled', { cause: reason });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal));
    // unnamed (core/unnamed.ts): a watch's sleep holds it between every two polls of a channel
    const onAbort = unnamed(() => {
      clearTimeout(t);
      reject(abortedError(signal!));
    });
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function headersObject(h: unknown): Record<string, string> {
  const raw = (h && typeof (h as { toJSON?: unknown }).toJSON === 'function' ? (h as { toJSON(): unknown }).toJSON() : h) as Record<string, unknown> | undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined && v !== null && v !== false) out[k] = String(v);
  return out;
}

function rpcMethod(data: unknown): string {
  try {
    const m = (JSON.parse(String(data)) as { method?: unknown }).method;
    return typeof m === 'string' ? m : 'request';
  } catch {
    return 'request';
  }
}

function errorText(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const e = (body as { error?: unknown }).error;
    if (typeof e === 'string') return e;
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  return fallback;
}

function retryAfterMs(h: Headers): number | undefined {
  const v = h.get('retry-after');
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return s * 1000;
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : undefined;
}

function causeCode(e: unknown): string {
  let c: unknown = e;
  for (let i = 0; i < 4 && c; i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    c = (c as { cause?: unknown }).cause;
  }
  return (e as Error)?.message ?? String(e);
}

/** The messages of `e` and its causes. */
function causeMessages(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e, i = 0; i < 4 && c; i++, c = (c as { cause?: unknown }).cause) out.push(String((c as Error).message ?? c));
  return out;
}

const REJECTED_BY_WALLET = /not accepted|cannot apply external message|failed to unpack account state/i;

/** A message the wallet refused (toncenter says so with a 500 or a 4xx): resending the same one cannot help. */
function walletRejected(method: string, text: string, status: number): ChainError | null {
  if (method !== 'sendBoc' || !REJECTED_BY_WALLET.test(text)) return null;
  return new ChainError(
    'WALLET_REJECTED',
    `the wallet did not accept the message: ${text}. Check its balance and that no other program uses this wallet at the same time, then retry`,
    { status },
  );
}

/** The largest answer read: toncenter's are far smaller (20 transactions, an account state). */
const MAX_BODY = 8 << 20;

/** The body as JSON, or as text when it is not JSON (kept for the message); a body over MAX_BODY is cut short. */
async function responseBody(res: Response, url: string, method: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const r = reader ? await reader.read() : { done: true as const, value: undefined };
    if (r.done) break;
    size += r.value.length;
    if (size > MAX_BODY) {
      await reader?.cancel().catch(() => undefined);
      throw new ChainError('ENDPOINT_ERROR', `${url} answered ${method} with a body larger than ${MAX_BODY >> 20} MiB: use another endpoint`);
    }
    chunks.push(Buffer.from(r.value));
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

/**
 * What in a successful answer TonClient would misread, said (null: nothing). It reads a balance with BigInt(),
 * which takes "" (and blanks) as 0, hex, and a JSON number JSON.parse already rounded: only digits, or a number
 * JSON holds exactly, are a count of nanotons.
 */
function misreadResult(method: string, body: unknown): string | null {
  if (method !== 'getAddressInformation') return null;
  const balance = (body as { result?: { balance?: unknown } } | null)?.result?.balance;
  if (balance === undefined) return null; // a malformed answer: TonClient refuses it itself
  const ok = typeof balance === 'string' ? /^\d{1,40}$/.test(balance) : typeof balance === 'number' && Number.isSafeInteger(balance) && balance >= 0;
  return ok ? null : `the balance ${JSON.stringify(balance).slice(0, 40)} is not a count of nanotons`;
}

/** What an answer means: null for a success, an error worth retrying (with the server's delay), or throws. */
function judge(res: Response, body: unknown, url: string, method: string, attempt: number): { error: ChainError; delayMs?: number } | null {
  if (res.status === 401 || res.status === 403) {
    throw new ChainError(
      'API_KEY_REJECTED',
      `${url} rejected the API key (HTTP ${res.status}: ${errorText(body, res.statusText)}): check the API key the node was given (--api-key or SYNCHANNEL_API_KEY; in VS Code: Set Testnet API Key) ` +
        `(a toncenter key comes from @tonapibot on Telegram), or remove it to use the free rate limit`,
      { status: res.status },
    );
  }
  if (res.status === 429) {
    const error = new ChainError(
      'RATE_LIMITED',
      `${url} kept answering 429 Too Many Requests (${method}) after ${attempt + 1} attempts: wait a little, ` +
        `or set an API key (toncenter allows about 1 request per second without one)`,
      { status: 429 },
    );
    const delayMs = retryAfterMs(res.headers);
    return delayMs === undefined ? { error } : { error, delayMs };
  }
  if (res.status >= 500) {
    const rejected = walletRejected(method, errorText(body, ''), res.status);
    if (rejected) throw rejected;
    return { error: new ChainError('ENDPOINT_ERROR', `${url} failed ${method} with HTTP ${res.status}: ${errorText(body, res.statusText)}`, { status: res.status }) };
  }
  if (res.status === 200 && (typeof body !== 'object' || body === null)) {
    // A cut or non-JSON answer (a proxy's error page): another attempt may get the real one.
    return { error: new ChainError('ENDPOINT_ERROR', `${url} answered ${method} with something that is not JSON: ${String(body ?? '(nothing)').slice(0, 120)}`) };
  }
  const inner = body && typeof body === 'object' ? (body as { ok?: unknown; code?: unknown }) : null;
  if (res.status === 200 && inner?.ok === false && typeof inner.code === 'number' && inner.code >= 500) {
    const rejected = walletRejected(method, errorText(body, ''), 200);
    if (rejected) throw rejected;
    return { error: new ChainError('ENDPOINT_ERROR', `${url} failed ${method}: ${errorText(body, 'ok: false')}`) };
  }
  if (res.status !== 200 || inner?.ok === false) {
    // Not retryable: a wrong request, an unknown account or method, a rejected message.
    const text = errorText(body, res.statusText);
    throw walletRejected(method, text, res.status) ?? new ChainError('ENDPOINT_ERROR', `${url} refused ${method} (HTTP ${res.status}): ${text}`, { status: res.status });
  }
  // A replica's odd answer: another attempt may get a good one.
  const misread = misreadResult(method, body);
  return misread ? { error: new ChainError('ENDPOINT_ERROR', `${url} answered ${method}, but ${misread}: use another endpoint`) } : null;
}

/** What a request whose last attempt timed out says, with the time all its attempts took. */
function timedOutAll(url: string, method: string, attempts: number, ms: number, requestTimeout: number): string {
  return `${url} did not answer ${method}: ${attempts} attempts in ${(ms / 1000).toFixed(1)} s, the last waited ${requestTimeout} ms for an answer: check your network, or try another endpoint`;
}

/** An axios adapter for TonClient's `httpAdapter` parameter. */
export function retryingAdapter(opts: RetryOptions = {}): HttpAdapter {
  const retries = opts.retries ?? 5;
  const base = opts.baseDelayMs ?? 300;
  const cap = opts.maxDelayMs ?? 5000;
  const requestTimeout = opts.requestTimeoutMs ?? 15000;

  const adapter = async (config: Parameters<HttpAdapter>[0]) => {
    const url = String(config.url);
    const method = rpcMethod(config.data);
    const ctx = opContext.getStore();
    const signal = ctx?.signal;
    const pacer = pacerFor(url, opts.requestsPerSecond);
    let last: ChainError | undefined;
    // an attempt got no clear answer (a 5xx, a cut answer, a request cut short): the endpoint may have taken it
    let unclear = false;
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abortedError(signal);
      await paced(pacer, ctx);
      let retryDelay: number | undefined;
      let timedOut = false;
      const timeout = AbortSignal.timeout(requestTimeout);
      try {
        const res = await fetch(url, {
          method: (config.method ?? 'post').toUpperCase(),
          headers: headersObject(config.headers),
          body: config.data === undefined ? undefined : String(config.data),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const body = await responseBody(res, url, method);
        const verdict = judge(res, body, url, method, attempt);
        if (!verdict) {
          return { data: body, status: res.status, statusText: res.statusText, headers: Object.fromEntries(res.headers.entries()), config, request: {} };
        }
        last = verdict.error;
        retryDelay = verdict.delayMs;
        if (res.status !== 429) unclear = true;
      } catch (e) {
        // A resend refused after an attempt that got no clear answer (whatever the refusal says): that attempt may
        // have been taken (the refusal is then its own success), so it is not "never sent".
        if (e instanceof ChainError && method === 'sendBoc' && unclear && !e.sent) {
          throw new ChainError(e.code, `${e.message} (an earlier attempt of this send got no clear answer: it may have been taken)`, { status: e.status, cause: e, sent: true });
        }
        if (e instanceof ChainError) throw e;
        if (signal?.aborted) throw abortedError(signal);
        // A port fetch never dials (another service's, such as 9 or 19): no retry can help.
        if (causeMessages(e).includes('bad port')) {
          const port = new URL(url).port;
          throw new ChainError('ENDPOINT_UNREACHABLE', `cannot dial ${url}: port ${port} is one that fetch refuses to dial (a port kept for another service, "bad port"): ${opts.badPortHint ?? 'give the endpoint with another port'}`, { cause: e });
        }
        // A connection refused or a name not found: the request never reached the endpoint.
        if (!['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(causeCode(e))) unclear = true;
        timedOut = timeout.aborted;
        last = new ChainError(
          'ENDPOINT_UNREACHABLE',
          timedOut
            ? `${url} did not answer ${method} within ${requestTimeout} ms: check your network, or try another endpoint`
            : `cannot reach ${url} (${causeCode(e)}): ${opts.unreachableHint ?? 'check the URL and your network'}`,
          { cause: e },
        );
      }
      if (attempt >= retries) {
        // After retries a timeout's own words ("within N ms") would hide the time spent: say it all.
        if (timedOut && attempt > 0) last = new ChainError(last.code, timedOutAll(url, method, attempt + 1, performance.now() - started, requestTimeout), { cause: last.cause });
        // A message whose attempts got no clear answer may have been taken: not "never sent" (the wait decides).
        if (unclear && method === 'sendBoc') throw new ChainError(last.code, `${last.message} (an attempt got no clear answer: the message may have been taken)`, { status: last.status, cause: last, retryable: true, sent: true });
        last.retryable = true;
        throw last;
      }
      const backoff = Math.min(cap, base * 2 ** attempt);
      const delayMs = Math.min(cap, Math.max(retryDelay ?? 0, backoff / 2 + Math.random() * (backoff / 2)));
      if (last.code === 'RATE_LIMITED') holdPacer(pacer, delayMs);
      opts.onRetry?.({ attempt: attempt + 1, delayMs, reason: last.message });
      await sleep(delayMs, signal);
    }
  };
  return adapter as unknown as HttpAdapter;
}
