// Per-peer quotas at the transport, a frame-rate bucket and a byte-rate bucket. A peer over either is
// paused (flow control: the muxer window stops its sending) until it is within its quota again; nothing
// it sent is dropped. Only before the handshake are frames over the rate dropped (and answered).

export interface RateLimit {
  /** units (frames, or bytes) per second, sustained */
  perSecond: number;
  /** units allowed in a burst */
  burst: number;
}

/**
 * A token bucket: a remote peer's frames (shared by its streams), and the guards' rates (handshake streams, failed
 * handshakes per host, pings, bytes before a protocol). Timed by the monotonic clock: a wall clock set back
 * (an NTP correction, a laptop waking) would put it in debt for as long as the step.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(private readonly limit: RateLimit) {
    this.tokens = limit.burst;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
  }

  /** Takes `n` tokens if there are that many. */
  take(n = 1): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes one token if there is one (0); else how long (ms) until there is (nothing taken). */
  takeOrWait(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000));
  }

  /** Takes `n` tokens even into debt; returns how long (ms) until the balance is positive again (0: none owed). */
  charge(n: number): number {
    this.refill();
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.limit.perSecond) * 1000);
  }
}

/** Quotas of one remote peer. */
export interface PeerQuota {
  frames: TokenBucket;
  bytes: TokenBucket;
}

/** The quotas of remote peers, the least recently used forgotten first when there are too many. */
export class QuotaTable {
  private readonly quotas = new Map<string, PeerQuota>();
  constructor(
    private readonly frames: RateLimit,
    private readonly bytes: RateLimit,
    private readonly max = 1024,
  ) {}

  get(peerId: string): PeerQuota {
    let q = this.quotas.get(peerId);
    if (q) {
      this.quotas.delete(peerId);
    } else {
      q = { frames: new TokenBucket(this.frames), bytes: new TokenBucket(this.bytes) };
      if (this.quotas.size >= this.max) this.quotas.delete(this.quotas.keys().next().value!);
    }
    this.quotas.set(peerId, q);
    return q;
  }
}
