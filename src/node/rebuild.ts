// A channel whose record.json is lost or corrupt while its journal holds states both signed: every state names
// its contract, and the contract's data on chain holds the agreed terms, so the record is rebuilt from both and
// the channel stays guarded (watched, a stale close challenged). See docs/store.md.
import { readFile, rename } from 'node:fs/promises';
import { basename } from 'node:path';
import { Address } from '@ton/core';
import type { SignedState } from '../core/signed.js';
import { SynError, messageOf } from '../core/errors.js';
import { addressText } from '../core/format.js';
import type { ChannelStatus } from '../contract/index.js';
import type { NodeContext } from './context.js';
import type { ChannelStorage } from './persistence.js';
import { sleep } from './policy.js';
import { recordFromContract, versionAt, type ChannelRecord } from './record.js';
import { RECORD_FILE } from './store/channel.js';

/** waits between the reads of the contract at start-up (then the channel is listed as broken) */
const READ_RETRIES_MS = [300, 1000];

/** How the record was lost: missing, or corrupt (the error of the read, which names the file). */
export type RecordLoss = { missing: true } | { corrupt: Error & { code: string } };

/** A RECORD_CORRUPT of the record file itself (not of a first-format params.json). */
export function corruptRecordError(e: unknown): (Error & { code: string; path: string }) | null {
  const x = e as { code?: unknown; path?: unknown } | null;
  return x instanceof Error && x.code === 'RECORD_CORRUPT' && typeof x.path === 'string' && basename(x.path) === RECORD_FILE ? (x as Error & { code: string; path: string }) : null;
}

/**
 * A channel whose record is lost: rebuilt when its journal names the contract (a state both signed, or the initial
 * state proposed); null for a missing record beside an empty journal (a crash before the first write: nothing to
 * recover). Throws what to do otherwise.
 */
export async function recoverLost(ctx: NodeContext, id: string, storage: ChannelStorage, loss: RecordLoss): Promise<ChannelRecord | null> {
  try {
    const head = await storage.loadHead();
    const named = head.latest ?? head.staged?.state ?? null;
    if (named) return await rebuildRecord(ctx, id, storage, named.state.channel, named, loss, head.latest !== null);
    // No state names the contract (a channel still funding): the damaged record may still say which, and the
    // chain then shows its terms and whether this node is a party (a wrong hint is refused like any other).
    const hint = 'corrupt' in loss ? await contractHint(loss.corrupt) : null;
    if (hint) return await rebuildRecord(ctx, id, storage, hint, null, loss, false);
    if ('corrupt' in loss) throw loss.corrupt; // nothing names the contract: only a backup has the terms
  } catch (e) {
    await storage.close();
    throw e;
  }
  await storage.close();
  return null;
}

/**
 * Rebuilds channel `id`'s record from the contract the journal's state names, checked against the journal and this
 * node's key; keeps a corrupt file beside the new one (record.json.corrupt-<ms>) and writes the new record.
 * Throws RECORD_CORRUPT saying what to do when it cannot (the chain unreadable now, another contract or key).
 */
async function rebuildRecord(ctx: NodeContext, id: string, storage: ChannelStorage, contract: Address, latest: SignedState | null, loss: RecordLoss, signed: boolean): Promise<ChannelRecord> {
  const shown = addressText(contract, 'contract');
  const lost = 'missing' in loss ? 'its record.json is missing' : `its record.json is corrupt (${messageOf(loss.corrupt)})`;
  // The message says what to do (recovery.ts adds no code advice to it).
  // retry: the chain may answer later (the node tries again by itself while it runs, recovery.ts).
  const fail = (why: string, todo: string, retry = false) => new SynError('RECORD_CORRUPT', `${lost} and ${why}: ${todo}`, { details: { advised: true, retry } });
  const st = await readContract(ctx, contract).catch((e: unknown) => {
    throw fail(`the contract its journal names (${shown}) could not be read from the chain to rebuild it (${messageOf(e)})`, `${AGAIN}; check the chain endpoint, or import a backup`, true);
  });
  const terms = termsOnChain(ctx, st, contract, id);
  if (!terms.ok) throw fail(terms.why, terms.todo, terms.retry);
  const { rec, me } = terms;
  // Locked, but no state signed by both yet (the journal holds only a proposal): leave is what is left, after a wait.
  if (!signed && rec.life === 'open') rec.life = 'locked';
  // Nothing says whether this journal is the latest (a backup imported before the record was lost is older than
  // the partner's): the node waits for the partner's answer before it signs, or closes without a confirmation.
  rec.restorePending = true;
  const kept = 'corrupt' in loss ? await keepCorrupt(loss.corrupt) : null;
  try {
    await storage.writeRecord(rec);
  } catch (e) {
    // The record stays in memory: the channel is guarded now and rebuilt again at the next start.
    ctx.emit({ type: 'error', code: 'DISK_WRITE_FAILED', level: 'error', message: `channel ${id}: the rebuilt record could not be written (${messageOf(e)}); it is used until the node stops and rebuilt at its next start` });
  }
  const close = rec.close ? ` A close (${rec.close.step === null ? 'an exit with the deposits' : `step ${rec.close.step}`}) by ${rec.close.submitter === me ? 'you' : 'your partner'} is on chain: the node challenges it if it holds a later state.` : '';
  const message = `channel ${id}: ${'missing' in loss ? 'its record.json was missing' : `its record.json was corrupt (kept beside it as ${kept})`}; the record was rebuilt from the contract on chain (${shown}: ${rec.life})${!latest ? ' (its address read from the damaged record: the journal holds no state yet)' : ` and the journal (${signed ? `step ${latest.state.step}` : `a proposal of step ${latest.state.step}, not signed by both`})`}.${close} The channel is watched again; until your partner confirms its latest state, the node signs nothing, and a withdraw asks you to confirm`;
  ctx.emit({ type: 'error', code: 'RECORD_CORRUPT', level: 'warning', message });
  return rec;
}

/**
 * A channel restored from a backup taken before its contract was deployed (proposed, accepted): the chain may show
 * it funded, locked or closing since. Its record is then the contract's, as a lost one is rebuilt, so the channel is
 * watched and can be left (as a proposal it was neither: the money locked since had no way out here). Unchanged when
 * the chain shows no live contract of this channel, or cannot be read now (said: every start reads it again).
 */
export async function deployedSince(ctx: NodeContext, rec: ChannelRecord): Promise<ChannelRecord> {
  if (rec.life !== 'proposed' && rec.life !== 'accepted') return rec;
  const shown = addressText(rec.contract, 'contract');
  let st: ChannelStatus;
  try {
    st = await readContract(ctx, Address.parse(rec.contract));
  } catch (e) {
    ctx.log(`channel ${shown}: restored as a proposal, and its contract could not be read (${messageOf(e)}): if it was deployed since the backup, the node follows it once a start reads it (restart the node when the chain answers)`, 'warn');
    return rec;
  }
  const terms = termsOnChain(ctx, st, Address.parse(rec.contract), rec.channelId.toString());
  if (!terms.ok || terms.me !== rec.me) return rec;
  const next = terms.rec;
  // no state both signed here yet: the partner's answer to the resync brings those signed since the backup
  if (next.life === 'open') next.life = 'locked';
  next.restorePending = true;
  next.restored = true;
  ctx.log(`channel ${shown}: restored from a backup taken before its contract was deployed; the contract is ${st.status} on chain now, and the channel is followed from it (your partner's answer brings the states signed since)`, 'warn');
  return next;
}

const AGAIN = 'the node tries again every minute while it runs (and at its next start)';

type Terms = { ok: true; rec: ChannelRecord; me: 'A' | 'B' } | { ok: false; why: string; todo: string; retry: boolean };

/** The record of channel `id` as its contract's data shows it, when the contract is live, is `id` and has this node's key. */
function termsOnChain(ctx: NodeContext, st: ChannelStatus, contract: Address, id: string): Terms {
  const shown = addressText(contract, 'contract');
  const no = (why: string, todo: string, retry = false): Terms => ({ ok: false, why, todo, retry });
  if (st.status === 'not_deployed') return no(`the contract its journal names (${shown}) is not deployed on ${ctx.o.network}`, `if the channel is on another network, start a node on that network with this folder; otherwise ${AGAIN}, or import a backup`, true);
  if (st.status === 'frozen') return no(`the contract its journal names (${shown}) is frozen and shows no terms`, 'top it up with its state init and restart the node, or import a backup');
  if (st.status === 'closed') return no(`the contract its journal names (${shown}) is closed and paid out: nothing is left to guard`, 'import a backup to see the channel again');
  const d = st.data;
  const version = versionAt(d, contract.toRawString());
  if (version === null) return no(`the terms read from ${shown} do not give its address`, 'restart the node when the chain answers correctly, or import a backup');
  if (d.channelId.toString() !== id) return no(`the contract its journal names (${shown}) is channel ${d.channelId}, not ${id}`, 'import a backup');
  const me = d.publicKeyA.equals(ctx.o.key.publicKey) ? 'A' : d.publicKeyB.equals(ctx.o.key.publicKey) ? 'B' : null;
  if (!me) return no(`neither key of the contract ${shown} is this node's`, 'start the node with the key the channel was opened with, or import a backup');
  return { ok: true, rec: recordFromContract(d, me, ctx.o.network, version), me };
}

/** The contract address a damaged record file still shows (its `contract` field), or null. */
async function contractHint(corrupt: Error & { code: string }): Promise<Address | null> {
  const path = (corrupt as { path?: unknown }).path;
  if (typeof path !== 'string') return null;
  const text = await readFile(path, 'latin1').catch(() => '');
  const m = /"contract"\s*:\s*"(-?\d{1,3}:[0-9a-fA-F]{64})"/.exec(text);
  try {
    return m ? Address.parse(m[1]!) : null;
  } catch {
    return null;
  }
}

/**
 * The contract's status, read again a few times at start-up when the chain does not answer. The node's stop ends
 * the read: a stop waits for a load under way (an import's, a retry's), never for an endpoint that does not answer.
 */
async function readContract(ctx: NodeContext, contract: Address): Promise<ChannelStatus> {
  for (let i = 0; ; i++) {
    try {
      return await ctx.o.chain.getChannelStatus(contract, { signal: ctx.stopping });
    } catch (e) {
      if (i >= READ_RETRIES_MS.length || ctx.stopping.aborted) throw e;
      await sleep(READ_RETRIES_MS[i]!);
    }
  }
}

/** Moves a corrupt record file aside (the new record's write makes the rename durable); its new name. */
async function keepCorrupt(e: Error & { code: string }): Promise<string> {
  const path = corruptRecordError(e)!.path;
  const aside = `${path}.corrupt-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (err) {
    throw new SynError('RECORD_CORRUPT', `${messageOf(e)}; it could not be moved aside to rebuild it from the chain (${messageOf(err)}): check the disk and restart the node, or import a backup`, { details: { advised: true } });
  }
  return basename(aside);
}
