// Two `synchannel` processes on a devnet process, started again on their data folders after a kill -9 at a crash
// point (SYNCHANNEL_CRASH_AT, src/node/crash.ts): A serves on a fixed port, B dials it.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../soak/procs.js';
import { buildOnce, CliProc, DevnetProc, type Json } from './cli-harness.js';

export class CrashPair {
  readonly procs: CliProc[] = [];
  a!: CliProc;
  b!: CliProc;
  private port = 0;
  /** the address B dials */
  private lan = '';

  constructor(
    private readonly devnet: DevnetProc,
    private readonly dir: string,
  ) {}

  private args(who: 'a' | 'b'): string[] {
    return ['--chain', 'devnet', '--devnet-url', this.devnet.url, '--data', join(this.dir, who), ...(who === 'a' ? ['--period', '60'] : [])];
  }

  /** (Re)starts A, killed with SIGKILL at `crashAt` if given; it serves on the pair's port. */
  async startA(crashAt?: string): Promise<CliProc> {
    this.port ||= await freePort();
    const p = new CliProc(this.args('a'), crashAt ? { SYNCHANNEL_CRASH_AT: crashAt } : {});
    this.procs.push(p);
    await p.event('ready');
    const served = await p.run(`serve ${this.port} 127.0.0.1`);
    this.lan = (served.lan as string[])[0]!;
    this.a = p;
    return p;
  }

  async startB(crashAt?: string): Promise<CliProc> {
    const p = new CliProc(this.args('b'), crashAt ? { SYNCHANNEL_CRASH_AT: crashAt } : {});
    this.procs.push(p);
    await p.event('ready');
    this.b = p;
    return p;
  }

  /** A channel A 3 TON, B 4 TON, locked, state 0 signed by both. */
  async open(): Promise<void> {
    await this.startA();
    await this.startB();
    await this.a.run('faucet 20');
    await this.b.run('faucet 20');
    await this.connect();
    await this.a.run('open 3 4');
    await this.b.event('channelProposed');
    await this.b.run('deposit');
    await this.converge(0n);
  }

  /** B dials A. */
  async connect(): Promise<void> {
    await this.b.run(`connect ${this.lan}`);
  }

  /** Waits until both hold the same states signed by both, the last at or past `step` (60 s at most); returns them. */
  async converge(step: bigint): Promise<string[][]> {
    const all = async (p: CliProc) => ((await p.run('showAll')).states as Json[]).filter((s) => s.sigA && s.sigB).map((s) => [s.step, s.balanceA, s.balanceB, s.sigA, s.sigB].map(String));
    for (let i = 0; ; i++) {
      const [sa, sb] = [await all(this.a), await all(this.b)];
      const last = (ss: string[][]) => (ss.length ? BigInt(ss[ss.length - 1]![0]!) : -1n);
      if (last(sa) === last(sb) && last(sa) >= step) {
        assert.deepEqual(sa, sb);
        return sa;
      }
      if (i > 300) assert.fail(`no convergence at step ${step}: A ${last(sa)}, B ${last(sb)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * B pays A 0.5 (A 3.5, B 3.5: step 1 signed by both); A is stopped and started again to be killed at `point`,
   * B connected again. Returns A's process, the contract, A's wallet and the messages it sent the contract so far.
   */
  async paidThenA(point: string): Promise<{ a: CliProc; contract: string; walletA: string; before: number }> {
    await this.b.run('send 0.5');
    await this.converge(1n);
    const contract = (await this.a.run('getSmartContractAccount')).address as string;
    const walletA = (await this.a.run('getAccount')).address as string;
    const before = await this.devnet.txsFrom(contract, walletA);
    const from = this.b.lines.length;
    await this.a.exit();
    const a = await this.startA(point);
    await this.b.event('partnerConnected', () => true, 30_000, from);
    return { a, contract, walletA, before };
  }

  async stop(): Promise<void> {
    for (const p of this.procs) await p.exit().catch(() => undefined);
  }
}

/**
 * For the tests of a describe block: the built CLI, a devnet process in a temp folder (`prefix`), and the pairs they
 * make there (`pair`), all stopped and removed after the block.
 */
export function onDevnet(prefix: string): { devnet: () => DevnetProc; pair: (name: string) => CrashPair } {
  let dir = '';
  let devnet: DevnetProc | undefined;
  const pairs: CrashPair[] = [];
  before(async () => {
    buildOnce();
    dir = await mkdtemp(join(tmpdir(), prefix));
    devnet = new DevnetProc(join(dir, 'devnet'));
    await devnet.ready;
  });
  after(async () => {
    for (const p of pairs) await p.stop();
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    devnet: () => devnet!,
    pair: (name) => {
      const p = new CrashPair(devnet!, join(dir, name));
      pairs.push(p);
      return p;
    },
  };
}
