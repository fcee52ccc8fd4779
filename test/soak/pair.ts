// Two soak nodes and their channel: open it, pay in it, wait until both agree, check that every state both
// signed that either node ever reported is in the final history, and close it (paid by the latest state).
import assert from 'node:assert/strict';
import type { Json } from '../e2e/cli-harness.js';
import { Died, type Devnet, type SoakNode } from './procs.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Latest {
  step: bigint;
  balanceA: bigint;
  balanceB: bigint;
}

/** Retries `fn` while it fails (a node restarting, the RPC failing), up to `ms`. */
export async function retry<T>(what: string, fn: () => Promise<T>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw new Error(`${what}: ${(e as Error).message}`);
      await sleep(300);
    }
  }
}

export class Pair {
  channel = '';
  constructor(
    readonly a: SoakNode,
    readonly b: SoakNode,
    readonly devnet: Devnet,
  ) {}

  other(n: SoakNode): SoakNode {
    return n === this.a ? this.b : this.a;
  }

  view(j: Json): Json | undefined {
    return (j.channels as Json[]).find((c) => c.channelId === this.channel);
  }

  /** A proposes, B deposits, both sign step 0. */
  async open(depositA: string, depositB: string): Promise<void> {
    const r = await this.a.cmd(`open ${depositA} ${depositB}`);
    this.channel = r.channelId as string;
    await this.b.proc!.wait((j) => j.event === 'channelProposed' && (j.channel as Json).channelId === this.channel, 'the proposal', 30_000);
    await retry('deposit', () => this.b.cmd(`deposit --channel ${this.channel}`, 120_000));
    await this.converged(120_000);
  }

  /** The latest state both signed, as `n` reports it (and whether something is pending). */
  async latestOf(n: SoakNode): Promise<{ latest: Latest | null; pending: string | null; myTurn: boolean }> {
    const v = this.view(await n.cmd('channels', 20_000));
    const l = v?.latest as Json | null | undefined;
    const p = v?.pending as Json | null | undefined;
    return {
      latest: l ? { step: BigInt(l.step as string), balanceA: BigInt(l.balanceA as string), balanceB: BigInt(l.balanceB as string) } : null,
      pending: p ? `${p.step as string} awaiting ${p.awaiting as string}${v?.partnerOnline ? '' : ', partner offline'}` : v?.partnerOnline ? null : 'none, partner offline',
      myTurn: !!v?.myTurn,
    };
  }

  /** The last things a node said (for a failure's message). */
  errors(n: SoakNode): string {
    return n
      .lines()
      .filter((j) => j.event !== 'channelUpdated' && j.event !== 'text' && j.command !== 'channels')
      .slice(-12)
      .map((j) => (j.event === 'error' || j.event === 'log' ? `${String(j.code ?? j.level)}: ${String(j.message).slice(0, 160)}` : j.command ? `${String(j.command)} ${j.ok ? 'ok' : `failed ${JSON.stringify(j.error).slice(0, 120)}`}` : `${String(j.event)}${j.state ? ` ${String((j.state as Json).step)}` : ''}`))
      .join(' | ');
  }

  /** Waits until both nodes hold the same latest state both signed and nothing is pending. */
  async converged(ms = 90_000): Promise<Latest> {
    return retry(
      'convergence',
      async () => {
        const [x, y] = [await this.latestOf(this.a), await this.latestOf(this.b)];
        if (!x.latest || !y.latest || x.pending || y.pending || x.latest.step !== y.latest.step) {
          throw new Error(`A at ${x.latest?.step} (pending ${x.pending}), B at ${y.latest?.step} (pending ${y.pending}); A: ${this.errors(this.a)}; B: ${this.errors(this.b)}`);
        }
        assert.deepEqual(x.latest, y.latest, 'the same latest state');
        return x.latest;
      },
      ms,
    );
  }

  /** `payer` gets the turn (asking for it) and sends `amount`; `write` only writes the send (it may die on it). */
  async pay(payer: SoakNode, amount: string, o: { write?: boolean } = {}): Promise<void> {
    const sel = `--channel ${this.channel}`;
    for (let i = 0; !(await this.latestOf(payer)).myTurn; i++) {
      if (i > 60) throw new Error(`${payer.name} never got the turn`);
      if (i % 10 === 0) await payer.cmd(`requestEmpty ${sel}`).catch((e: { code?: string }) => {
        if (e instanceof Died || !['ALREADY_YOUR_TURN', 'PENDING_STATE'].includes(e.code ?? '')) throw e;
      });
      await sleep(100);
    }
    if (o.write) payer.write(`send ${amount} ${sel}`);
    else await payer.cmd(`send ${amount} ${sel}`);
  }

  /** Every stateSigned either node printed, as `step:A:B:sigA:sigB`. */
  seen(): Set<string> {
    const out = new Set<string>();
    for (const n of [this.a, this.b]) {
      for (const j of n.lines()) {
        if (j.event !== 'stateSigned' || (j.channel as Json).channelId !== this.channel) continue;
        const s = j.state as Json;
        out.add(`${s.step as string}:${s.balanceA as string}:${s.balanceB as string}:${s.sigA as string}:${s.sigB as string}`);
      }
    }
    return out;
  }

  /** Both full histories are equal; returns how many reported states are missing from them (must be 0). */
  async verifyHistory(): Promise<{ states: number; reported: number; lost: string[] }> {
    const hist = async (n: SoakNode) =>
      ((await n.cmd(`showAll --channel ${this.channel}`, 120_000)).states as Json[]).filter((s) => s.committed).map((s) => `${s.step as string}:${s.balanceA as string}:${s.balanceB as string}:${s.sigA as string}:${s.sigB as string}`);
    const [x, y] = [await hist(this.a), await hist(this.b)];
    assert.deepEqual(x, y, 'both nodes hold the same history');
    x.forEach((s, i) => assert.equal(s.split(':')[0], String(i), 'no gap in the history'));
    const have = new Set(x);
    const seen = this.seen();
    return { states: x.length, reported: seen.size, lost: [...seen].filter((s) => !have.has(s)) };
  }

  /** Closes with the latest state (cooperatively, or unilaterally and finished after the window). */
  async close(mode: 'cooperative' | 'unilateral', closer: SoakNode): Promise<Latest> {
    const latest = await this.converged();
    const closed = (n: SoakNode) => n.proc!.wait((j) => j.event === 'closed' && (j.channel as Json).channelId === this.channel, `${n.name}: closed`, 120_000);
    const [ca, cb] = [closed(this.a), closed(this.b)];
    // A withdraw whose answer was lost to an RPC fault may have landed: the next one finds the close under way.
    await retry('withdraw', () =>
      closer.cmd(`withdraw --${mode} --yes --channel ${this.channel}`, 120_000).catch((e: { code?: string }) => {
        if (e.code !== 'ALREADY_CLOSING' && e.code !== 'ALREADY_CLOSED') throw e;
        return {};
      }),
    );
    if (mode === 'unilateral') {
      await sleep(1000);
      await this.devnet.advanceTime(65);
    }
    for (const e of [await ca, await cb]) {
      const p = e.payout as Json;
      assert.deepEqual([BigInt(p.balanceA as string), BigInt(p.balanceB as string)], [latest.balanceA, latest.balanceB], 'paid by the latest state');
    }
    return latest;
  }
}
