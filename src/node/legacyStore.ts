// Interim DataDir over the first journal format (store.ts), until the checksummed journal store replaces it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { signedFromJson, signedToJson, type SignedState } from '../core/signed.js';
import type { ChannelHead, ChannelStorage, DataDir, JournalEntry } from './persistence.js';
import { ChannelStore, fromJson, toJson } from './store.js';

class LegacyChannel implements ChannelStorage {
  constructor(private readonly s: ChannelStore) {}
  get id(): string {
    return this.s.id;
  }
  readRecord<T>(): Promise<T | null> {
    return this.s.readParams<T>();
  }
  writeRecord<T>(rec: T): Promise<void> {
    return this.s.writeParams(rec);
  }
  async append(entries: JournalEntry[]): Promise<void> {
    const lines = entries.flatMap((e) => {
      if (e.kind === 'committed') return [signedToJson(e.state)];
      if (e.kind === 'staged') return [{ ...signedToJson(e.state), staged: true, mine: e.mine }];
      return [];
    });
    if (lines.length) await this.s.appendStates(lines);
  }
  private async all(): Promise<{ states: SignedState[]; staged: { state: SignedState; mine: boolean } | null }> {
    const r = await this.s.read();
    return {
      states: r.states.map((x) => signedFromJson(x)),
      staged: r.staged ? { state: signedFromJson(r.staged), mine: r.staged.mine } : null,
    };
  }
  async loadHead(): Promise<ChannelHead> {
    const { states, staged } = await this.all();
    const latest = states[states.length - 1] ?? null;
    const next = latest ? latest.state.step + 1n : 0n;
    return { latest, count: BigInt(states.length), staged: staged && staged.state.state.step === next ? staged : null, repaired: null };
  }
  async readStates(from: bigint, to: bigint): Promise<SignedState[]> {
    const { states } = await this.all();
    return states.filter((s) => s.state.step >= from && s.state.step < to);
  }
  async evidence(): Promise<Extract<JournalEntry, { kind: 'evidence' }>[]> {
    return [];
  }
  async bytesOnDisk(): Promise<number> {
    return 0;
  }
  close(): Promise<void> {
    return this.s.close();
  }
}

export class LegacyDataDir implements DataDir {
  private constructor(readonly root: string) {}
  static async open(root: string): Promise<LegacyDataDir> {
    return new LegacyDataDir(root);
  }
  async list(): Promise<{ id: string; error: (Error & { code: string }) | null }[]> {
    return (await ChannelStore.list(this.root)).map((id) => ({ id, error: null }));
  }
  async channel(id: string): Promise<ChannelStorage> {
    return new LegacyChannel(await ChannelStore.open(this.root, id));
  }
  async exportTo(): Promise<{ channels: number }> {
    throw new Error('backup needs the journal store');
  }
  async importFrom(): Promise<{ imported: string[]; kept: string[] }> {
    throw new Error('backup needs the journal store');
  }
  async readMeta<T>(name: string): Promise<T | null> {
    try {
      return fromJson<T>(await readFile(join(this.root, `${name}.json`), 'utf8'));
    } catch {
      return null;
    }
  }
  async writeMeta<T>(name: string, value: T): Promise<void> {
    await writeFileAtomic(join(this.root, `${name}.json`), toJson(value), { mode: 0o600 });
  }
  async close(): Promise<void> {}
}
