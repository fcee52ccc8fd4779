// Recovery at start-up (and after an import): every channel folder becomes a controller, or a "broken" entry
// that says what is wrong and what to do. No channel disappears from the list. A lost or corrupt record beside
// states both signed is rebuilt from the contract on chain and the journal (rebuild.ts).
import { Channel } from '../core/channel.js';
import { signedOpens } from '../core/lifecycle.js';
import { bindClock } from './mayland.js';
import { SynError, codeOf, messageOf, nextStep } from '../core/errors.js';
import { addressText } from '../core/format.js';
import { shownContract as shown } from './addresses.js';
import type { NodeContext, OtherNetworkChannel } from './context.js';
import { ChannelController } from './controller.js';
import type { Negotiation } from './negotiation.js';
import { corruptRecordError, deployedSince, recoverLost, type RecordLoss } from './rebuild.js';
import { partnerAddressOf, upgradeRecord, type ChannelRecord } from './record.js';
import type { ChannelHead, ChannelStorage } from './persistence.js';
import type { BrokenChannelView } from './types.js';
import { ended } from './uiRules.js';
import { tellUntold } from './deposits.js';

export async function recoverChannels(
  ctx: NodeContext,
  negotiation: Negotiation,
  resume: (ctl: ChannelController) => Promise<void>,
  opts: { only?: ReadonlySet<string>; restored?: boolean; quiet?: boolean } = {},
): Promise<BrokenChannelView[]> {
  const broken: BrokenChannelView[] = [];
  const items = (await ctx.data.list()).filter(({ id }) => !opts.only || opts.only.has(id));
  // Read and check the channels a few at a time (their files overlap), then take them in the listed order.
  const loads = new Array<Promise<Loaded>>(items.length);
  let next = 0;
  const take = () => {
    const i = next++;
    if (i >= items.length) return;
    loads[i] = load(ctx, negotiation, items[i]!, !!opts.restored).finally(take);
    loads[i]!.catch(() => undefined); // awaited below, in order
  };
  for (let k = 0; k < Math.min(CONCURRENCY, items.length); k++) take();
  const elsewhere = new Map<string, number>(); // live channels of another network: never watched here
  for (let i = 0; i < items.length; i++) {
    const id = items[i]!.id;
    try {
      const got = await loads[i]!;
      if (!got) continue;
      if ('otherNetwork' in got) {
        if (got.live) {
          const net = got.otherNetwork.network;
          elsewhere.set(net, (elsewhere.get(net) ?? 0) + 1);
          ctx.otherNetwork.set(id, got.otherNetwork); // for otherNetworks(): a command finding no channel names them
        }
        continue;
      }
      const { ctl, head } = got;
      bindClock(ctl, ctx);
      ctx.channels.set(ctl.id, ctl);
      if (head.repaired?.damaged) {
        const message = `channel ${shown(ctl)}: the last record of its journal (${head.repaired.bytesDropped} bytes) is damaged on disk (whole, but its checksum fails: not a torn write); it was cut and kept beside the journal (torn-*.bin). If it held the latest state both signed, this node lost it: connect to your partner (the nodes resync the states one lacks), or import a backup`;
        ctx.emit({ type: 'error', code: 'JOURNAL_CORRUPT', level: 'error', message });
      } else if (head.repaired) ctx.log(`channel ${shown(ctl)}: a torn last record (${head.repaired.bytesDropped} bytes) was cut; nothing both signed was lost`, 'warn');
      if (opts.restored) await ctl.storage!.writeRecord(ctl.rec);
      ctx.log(`recovered channel ${shown(ctl)} (${ctl.rec.life}, step ${head.latest?.state.step ?? '-'})${ctl.rec.legacy ? ': contract v1, close it with SynChannel 0.1' : ''}`);
      if (tellUntold(ctx, ctl)) await ctl.saveRecord().catch(() => undefined); // saved before a crash, not told yet
      await resume(ctl);
      // A deployment whose send failed before the stop (one stopped during it: resume) is sent again if lost.
      if (ctl.life === 'accepted') void negotiation.recoverDeploy(ctl).catch((e: unknown) => ctx.fail(e, ctl));
    } catch (e) {
      const code = codeOf(e);
      const advice = e instanceof SynError && e.details?.advised === true ? undefined : nextStep(code);
      const message = `could not recover channel ${id}: ${messageOf(e)}${advice ? ` (${advice})` : ''}`;
      broken.push({ id, code, message, ...(e instanceof SynError && e.details?.retry === true ? { retrying: true } : {}) });
      // a load the stop cut short (its read of the chain ended) is loaded by the next start: nothing told after the stop
      if (!opts.quiet && !ctx.stopping.aborted) ctx.emit({ type: 'error', code, level: 'error', message });
    }
  }
  for (const [network, n] of elsewhere) {
    ctx.emit({ type: 'error', code: 'OTHER_NETWORK', level: 'warning', message: `this data folder holds ${n} channel(s) on ${network} that are not closed: this node (on ${ctx.o.network}) does not watch them, so nobody challenges a stale close there. Start a node on ${network} with this folder (--chain ${network}) to watch them` });
  }
  return broken;
}

/** How many channels are read at once at start-up. */
const CONCURRENCY = 16;

type Loaded = { ctl: ChannelController; head: ChannelHead } | { otherNetwork: OtherNetworkChannel; live: boolean } | null;

/** One channel's record and head, checked into a controller; null when there is nothing to recover here. */
async function load(ctx: NodeContext, negotiation: Negotiation, item: { id: string; error: Error | null; record?: unknown }, restored: boolean): Promise<Loaded> {
  if (item.error && !corruptRecordError(item.error)) throw item.error;
  const storage = await ctx.data.channel(item.id);
  const got = await recordOf(item, storage);
  let rec = 'rec' in got ? got.rec : await recoverLost(ctx, item.id, storage, got.lost);
  if (!rec) return null; // an empty folder (a crash before the first write): nothing to recover
  if (rec.network !== ctx.o.network) {
    await storage.close();
    return { otherNetwork: { network: rec.network, contract: rec.contract, partner: partnerAddressOf(rec) }, live: !ended(rec.life) };
  }
  checkOwnKey(ctx, rec);
  if (restored) {
    rec.restorePending = true;
    rec.restored = true;
  }
  // a backup of a proposal (kept restored until the chain is read): the contract may be deployed, even locked, by now
  if (rec.restored && (rec.life === 'proposed' || rec.life === 'accepted')) {
    const was = rec;
    rec = await deployedSince(ctx, rec);
    if (rec !== was && !restored) await storage.writeRecord(rec);
  }
  const party = rec.me === 'A' ? rec.addressA : rec.addressB;
  const head = await storage.loadHead();
  // A state both signed implies the lock and the initial state (signedOpens): a crash after the journal took step 0
  // and before the record said 'open' left the phase behind (it is saved again on the next change when this write fails).
  if (signedOpens(rec.life, head.latest !== null, rec.legacy)) {
    rec.life = 'open';
    await storage.writeRecord(rec).catch(() => undefined);
  }
  const machine = rec.legacy
    ? negotiation.machine(rec)
    : await Channel.restoreAsync(ChannelController.params(rec), ctx.o.key.secretKey, {
        party: rec.me,
        latest: head.latest,
        staged: head.staged?.state ?? null,
        closing: rec.life === 'closing' || rec.life === 'closed',
        turnRequested: false,
        partnerWantsTurn: false,
      });
  const ctl = new ChannelController(rec, storage, machine);
  // the folder may be an older copy put back by hand: nothing of ours leaves before the partner's answer (unsynced.ts)
  ctl.unsynced = head.latest !== null && !ended(rec.life) && !rec.legacy;
  if (party !== ctx.myAddress.toRawString() && !ended(rec.life)) {
    ctl.otherWallet = addressText(party, 'wallet');
    ctx.emit({ type: 'error', code: 'OTHER_WALLET', level: 'error', message: `channel ${shown(ctl)} was opened with the wallet ${ctl.otherWallet} of this key, and this node runs ${addressText(ctx.myAddress, 'wallet')}: it watches the channel and challenges a stale close, but cannot pay, deposit or close it from this wallet. Start the node with that wallet (the key folder or wallet version it was opened with)` });
  }
  return { ctl, head };
}

/**
 * A channel opened with another key than this node's (a mnemonic typed wrong, another key folder) cannot be loaded:
 * said with the wallets a person knows them by, and that nothing watches it meanwhile. Its files are left as they are.
 */
function checkOwnKey(ctx: NodeContext, rec: ChannelRecord): void {
  const key = rec.me === 'A' ? rec.publicKeyA : rec.publicKeyB;
  if (rec.legacy || !key || Buffer.from(key).equals(ctx.o.key.publicKey)) return;
  const wallet = addressText(rec.me === 'A' ? rec.addressA : rec.addressB, 'wallet');
  throw new SynError(
    'WRONG_KEY',
    `channel ${addressText(rec.contract, 'contract')} was opened with the key of wallet ${wallet}, and this node runs another key (wallet ${addressText(ctx.myAddress, 'wallet')}): ` +
      `a mnemonic or key folder typed wrong? This node does not load it, so it is not watched (a stale close there would not be challenged). ` +
      `Start the node with the key of ${wallet} (its mnemonic or key folder); the channel's files are left as they are`,
    { details: { advised: true } },
  );
}

/** The record list() read a moment ago (the file again if it did not say), or how it was lost. */
async function recordOf(item: { error: Error | null; record?: unknown }, storage: ChannelStorage): Promise<{ rec: ChannelRecord } | { lost: RecordLoss }> {
  if (item.error) return { lost: { corrupt: item.error as Error & { code: string } } };
  try {
    const raw = item.record !== undefined ? (item.record as ChannelRecord | null) : await storage.readRecord<ChannelRecord>();
    return raw ? { rec: upgradeRecord(raw) } : { lost: { missing: true } };
  } catch (e) {
    if (corruptRecordError(e)) return { lost: { corrupt: e as Error & { code: string } } };
    throw e;
  }
}

/**
 * One load of a channel at a time: the retries and an import's reload each hold the ids they load (or drop), so a
 * channel never gets two controllers, and the later one sees what the earlier one loaded.
 */
export class ChannelLoads {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier holder of any of `ids` is done (all taken at once: no two holders wait on each other). */
  async hold<T>(ids: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    const mine = [...new Set(ids)];
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const before = mine.map((id) => this.tails.get(id));
    for (const id of mine) this.tails.set(id, done);
    try {
      await Promise.all(before);
      return await fn();
    } finally {
      release();
      for (const id of mine) if (this.tails.get(id) === done) this.tails.delete(id);
    }
  }

  /** Settles once every load under way now is done. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}

/** How often a channel the chain could not help recover is tried again while the node runs (ms). */
export const RECOVER_AGAIN_MS = 60_000;

/**
 * Tries the broken channels marked `retrying` again every `everyMs` until they recover (then they are watched like
 * any other and said so) or fail for another reason. `wake` starts it again once more are marked.
 */
export function recoverLater(ctx: NodeContext, negotiation: Negotiation, resume: (ctl: ChannelController) => Promise<void>, broken: BrokenChannelView[], loads: ChannelLoads, everyMs = RECOVER_AGAIN_MS): { stop: () => void; wake: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let stopped = false;
  const loaded = (id: string) => [...ctx.channels.values()].some((c) => c.rec.channelId.toString() === id);
  const retrying = () => broken.filter((b) => b.retrying).map((b) => b.id);
  const tick = (held = retrying()) => loads.hold(held, async () => {
    // One loaded meanwhile (an import) is not loaded again: one controller, one defense per channel.
    for (let i = broken.length - 1; i >= 0; i--) if (loaded(broken[i]!.id)) broken.splice(i, 1);
    const ids = retrying().filter((id) => held.includes(id));
    if (!ids.length || stopped) return;
    const still = await recoverChannels(ctx, negotiation, resume, { only: new Set(ids), quiet: true }).catch(() => null);
    if (!still || stopped) return;
    for (const id of ids) {
      const i = broken.findIndex((b) => b.id === id);
      const now = still.find((b) => b.id === id);
      if (i < 0) continue;
      if (now) broken[i] = now;
      else broken.splice(i, 1); // recovered: its rebuild was reported, and it is watched
    }
  });
  const schedule = () => {
    if (stopped || timer || running || !broken.some((b) => b.retrying)) return;
    timer = setTimeout(() => {
      timer = null;
      running = true;
      void tick().finally(() => {
        running = false;
        schedule();
      });
    }, everyMs);
    timer.unref?.();
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    wake: schedule,
  };
}
