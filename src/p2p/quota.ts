// Per-peer quotas at the transport: a frame-rate bucket (frames over it are dropped and answered) and a
// byte-rate bucket (a stream over it is paused until the debt is paid back: flow control, nothing dropped).

export interface RateLimit {
  /** units (frames, or bytes) per second, sustained */
  perSecond: number;
  /** units allowed in a burst */
  burst: number;
}

/** A token bucket; one per remote peer, shared by its streams. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly limit: RateLimit) {
    this.tokens = limit.burst;
  }

  private refill(): void {
    const now = Date.now();
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
