// The devnet's one chain: a @ton/sandbox Blockchain plus what a real network has and the sandbox lacks —
// a clock that moves (wall clock + an offset that /devnet/advanceTime raises, and a step back of the wall clock
// raises too: never going back, never standing still), a block
// counter, a per-account transaction index, a faucet, and persistence of everything to one JSON file in
// the data directory (src/chain/persist.ts: written atomically, debounced after each change, and on close).
import { mkdirSync, readFileSync, existsSync, openSync, closeSync, writeSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { createHash } from 'node:crypto';
import { Address, SendMode, type Cell, type Message, type Transaction } from '@ton/core';
import { Blockchain, type BlockchainTransaction, type SandboxContract, type SendMessageResult, type SmartContract, type TreasuryContract } from '@ton/sandbox';
import { CLOCK_STEP_SAID, ChainSaver, chainClock, clockStepText, readChainFile, serializeChain } from '../persist.js';
import { DevnetError } from './errors.js';
import { alive, heldContent, holderText, holding, holds, letGo, me, parseHolder, staleHint, type Holder } from '../holder.js';

export const DATA_FILE = 'devnet-chain.json';
export const LOCK_FILE = 'devnet.lock';
const TREASURY_SEED = 'synchannel-devnet-faucet';
/** The faucet's treasury is topped up to this whenever a request would overdraw it (1e9 TON). */
const TREASURY_BALANCE = 1_000_000_000n * 1_000_000_000n;

export interface BlockRef {
  workchain: number;
  shard: string;
  seqno: number;
  rootHash: string;
  fileHash: string;
}

/** The account an indexed transaction belongs to (its inbound message's destination). */
function txAccount(tx: Transaction): Address {
  const dest = tx.inMessage?.info.dest;
  if (dest && Address.isAddress(dest)) return dest;
  const hash = Buffer.from(tx.address.toString(16).padStart(64, '0'), 'hex');
  return new Address(0, hash);
}

export class DevnetBackend {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly txIndex = new Map<string, BlockchainTransaction[]>();
  private readonly saver: ChainSaver;
  private closed = false;
  private seqnoValue: number;

  private constructor(
    readonly blockchain: Blockchain,
    readonly treasury: SandboxContract<TreasuryContract>,
    readonly dataDir: string,
    seqnoValue: number,
    private offset: number,
    private lastNow: number,
    private readonly log: (line: string) => void,
  ) {
    for (const tx of blockchain.snapshot().transactions) this.indexTx(tx);
    this.seqnoValue = seqnoValue;
    this.saver = new ChainSaver(join(dataDir, DATA_FILE), () => this.exclusive(async () => ({ text: this.serialize(), version: this.seqnoValue })), log, seqnoValue);
  }

  /** The block number of the state last written to the data file. */
  get savedSeqno(): number {
    return this.saver.saved;
  }

  get dataFile(): string {
    return join(this.dataDir, DATA_FILE);
  }

  /** Opens (or creates) the chain kept in `dataDir`, taking the directory's lock. */
  static async open(dataDir: string, log: (line: string) => void): Promise<DevnetBackend> {
    makeDataDir(dataDir);
    takeLock(dataDir);
    try {
      const file = join(dataDir, DATA_FILE);
      const blockchain = await Blockchain.create();
      let seqno = 0;
      let offset = 0;
      let lastNow = Math.floor(Date.now() / 1000);
      if (existsSync(file)) {
        const saved = readChainFile(file, (why) => corrupt(file, why));
        await blockchain.loadFrom(saved.snapshot);
        seqno = saved.meta.seqno;
        offset = saved.meta.timeOffset;
        lastNow = saved.meta.lastNow;
        log(`loaded the chain from ${file} (block ${seqno}, ${saved.accounts} accounts)`);
      } else {
        log(`new chain; it will be kept in ${file}`);
      }
      blockchain.verbosity = { print: false, blockchainLogs: false, vmLogs: 'none', debugLogs: false };
      const clock = chainClock(Math.floor(Date.now() / 1000), offset, lastNow);
      if (clock.stepBack > CLOCK_STEP_SAID) log(clockStepText(clock.stepBack, clock.now));
      offset = clock.offset;
      const now = clock.now;
      blockchain.now = now;
      const treasury = await blockchain.treasury(TREASURY_SEED, { balance: TREASURY_BALANCE });
      const backend = new DevnetBackend(blockchain, treasury, dataDir, seqno, offset, now, log);
      if (!existsSync(file)) await backend.saveNow();
      return backend;
    } catch (e) {
      releaseLock(dataDir);
      throw e;
    }
  }

  /** Runs `fn` alone: the emulator is not re-entrant, and requests arrive concurrently. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** The chain's time now (unix seconds): wall clock + offset, never less than the last time used (chainClock). */
  now(): number {
    return chainClock(Math.floor(Date.now() / 1000), this.offset, this.lastNow).now;
  }

  get timeOffset(): number {
    return this.offset;
  }

  get seqno(): number {
    return this.seqnoValue;
  }

  /** Sets the emulator's clock to now(); called before every emulation and get-method. */
  tick(): number {
    const clock = chainClock(Math.floor(Date.now() / 1000), this.offset, this.lastNow);
    if (clock.stepBack > CLOCK_STEP_SAID) this.log(clockStepText(clock.stepBack, clock.now));
    this.offset = clock.offset;
    const now = clock.now;
    this.lastNow = now;
    this.blockchain.now = now;
    return now;
  }

  block(seqno = this.seqnoValue, workchain = -1): BlockRef {
    const h = (kind: string) => createHash('sha256').update(`synchannel-devnet:${kind}:${workchain}:${seqno}`).digest('base64');
    return { workchain, shard: '-9223372036854775808', seqno, rootHash: h('root'), fileHash: h('file') };
  }

  async contract(address: Address): Promise<SmartContract> {
    return this.blockchain.getContract(address);
  }

  /** All indexed transactions of an account, oldest first. */
  transactionsOf(address: Address): readonly BlockchainTransaction[] {
    return this.txIndex.get(address.toRawString()) ?? [];
  }

  /** Applies an external-in message (already checked to be one) and everything it causes. */
  async sendExternal(cell: Cell): Promise<SendMessageResult> {
    this.tick();
    let result: SendMessageResult;
    try {
      result = await this.blockchain.sendMessage(cell);
    } catch (e) {
      const detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new DevnetError(
        'DEVNET_NOT_ACCEPTED',
        `LITE_SERVER_UNKNOWN: cannot apply external message to current state : External message was not accepted (${detail}). ` +
          'Check the signature, seqno, valid_until (use the chain time from getAddressInformation sync_utime, which advanceTime moves) and that the account has funds.',
        500,
      );
    }
    this.committed(result);
    return result;
  }

  /** Emulates the first transaction of an external message without keeping any effect; returns it. */
  async emulateExternal(message: Message, ignoreChksig: boolean): Promise<BlockchainTransaction> {
    this.tick();
    const snapshot = this.blockchain.snapshot();
    try {
      const iter = await this.blockchain.sendMessageIter(message, { allowParallel: true, ignoreChksig });
      const first = await iter.next();
      if (first.done) throw new Error('no transaction was produced');
      return first.value;
    } catch (e) {
      if (e instanceof DevnetError) throw e;
      const detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new DevnetError('DEVNET_NOT_ACCEPTED', `LITE_SERVER_UNKNOWN: the external message would not be accepted (${detail}).`, 500);
    } finally {
      await this.blockchain.loadFrom(snapshot);
    }
  }

  /** Sends `amount` nanotons from the faucet treasury to `to` (non-bounceable). */
  async faucet(to: Address, amount: bigint): Promise<BlockchainTransaction> {
    this.tick();
    const treasuryAccount = await this.blockchain.getContract(this.treasury.address);
    if (treasuryAccount.balance < amount + 10n ** 9n) treasuryAccount.balance = TREASURY_BALANCE + amount;
    const result = await this.treasury.send({ to, value: amount, bounce: false, sendMode: SendMode.PAY_GAS_SEPARATELY });
    this.committed(result);
    const credit = result.transactions.find((tx) => {
      const dest = tx.inMessage?.info.dest;
      return tx.inMessage?.info.type === 'internal' && Address.isAddress(dest) && dest.equals(to);
    });
    if (!credit) throw new DevnetError('DEVNET_INTERNAL', 'devnet internal error: the faucet transfer produced no transaction at the destination.', 500);
    return credit;
  }

  /** Moves the chain's clock forward by `seconds`. */
  advanceTime(seconds: number): number {
    this.offset += seconds;
    const now = this.tick();
    this.seqnoValue += 1;
    this.scheduleSave();
    return now;
  }

  private committed(result: SendMessageResult): void {
    for (const tx of result.transactions) this.indexTx(tx);
    this.seqnoValue += 1;
    this.scheduleSave();
  }

  private indexTx(tx: BlockchainTransaction): void {
    const key = txAccount(tx).toRawString();
    let list = this.txIndex.get(key);
    if (!list) this.txIndex.set(key, (list = []));
    list.push(tx);
  }

  private serialize(): string {
    return serializeChain(this.blockchain, { seqno: this.seqnoValue, timeOffset: this.offset, lastNow: this.lastNow });
  }

  private scheduleSave(): void {
    if (!this.closed) this.saver.schedule();
  }

  /** Writes the whole chain to the data file now (after any save already under way). */
  saveNow(): Promise<void> {
    return this.saver.saveNow();
  }

  /** Saves and releases the data directory. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.saver.close();
    } finally {
      releaseLock(this.dataDir);
    }
  }
}

function corrupt(file: string, why: string): DevnetError {
  return new DevnetError(
    'DEVNET_DATA_CORRUPT',
    `The devnet data file ${file} cannot be used: ${why}. Move it away to start a fresh chain, or pass another --data directory.`,
    500,
  );
}

/**
 * One devnet per data directory: a lock file naming its holder (src/chain/holder.ts, as the data folder's lock: pid,
 * host, boot, pid namespace, start). A stale one (its holder gone, or of another pid namespace and left unrefreshed)
 * is taken over; a lock of an earlier version holds "<pid> [<start>]".
 */
/** The chain's folder, created if missing; one that cannot be is said with what to give instead (not a raw EEXIST). */
function makeDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'is a file, not a folder' : code === 'EACCES' || code === 'EPERM' ? 'cannot be created here (no permission)' : `cannot be created (${e instanceof Error ? e.message : String(e)})`;
    throw new DevnetError('DEVNET_DATA_DIR', `${dataDir} ${why}: give --data a folder you can write (it is created if missing).`, 500);
  }
}

function takeLock(dataDir: string): void {
  const path = resolve(dataDir, LOCK_FILE);
  if (holds(path)) throw new DevnetError('DEVNET_DATA_LOCKED', `This program already serves a devnet on ${dataDir}: use that one (its URL), or stop it first.`, 500);
  for (let attempt = 0; attempt < 2; attempt++) {
    const content = `${JSON.stringify(me())}\n`;
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, content);
      closeSync(fd);
      holding(path, content);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const h = holderOf(readFileSync(path, 'utf8'));
      if (h && alive(h, path)) {
        throw new DevnetError(
          'DEVNET_DATA_LOCKED',
          `Another devnet (${holderText(h)}) is serving ${dataDir}. Point your node at that one, stop it first, or pass another --data directory${staleHint(h, path, 'devnet')}.`,
          500,
        );
      }
      unlinkSync(path);
    }
  }
  throw new DevnetError('DEVNET_DATA_LOCKED', `Could not take the lock ${path}; remove it if no devnet is running.`, 500);
}

/** The holder a lock names: this version's, or an earlier version's "<pid> [<start>]" (this host's). */
function holderOf(text: string): Holder | null {
  const h = parseHolder(text);
  if (h) return h;
  const [pidText, start] = text.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  // our own pid there is a process before this one (a container's pid 1): this one does not hold it (takeLock)
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid ? { pid, host: hostname(), boot: null, start: start ?? null, since: 'an earlier start' } : null;
}

function releaseLock(dataDir: string): void {
  const path = resolve(dataDir, LOCK_FILE);
  const ours = heldContent(path);
  letGo(path);
  try {
    if (ours !== null && readFileSync(path, 'utf8') === ours) unlinkSync(path);
  } catch {
    // already gone
  }
}
