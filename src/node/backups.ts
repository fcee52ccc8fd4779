// A node's backups: export of its channels to one file, and import of such a file into a running node (the
// imported channels are recovered as restored, and their partners asked for what they hold).
import type { NodeContext } from './context.js';
import type { Negotiation } from './negotiation.js';
import type { ChannelController } from './controller.js';
import { recoverChannels, type ChannelLoads } from './recovery.js';
import { foreignRecord } from './record.js';
import { shownContract } from './addresses.js';
import { handOver } from './standin.js';
import type { BrokenChannelView, ExportResult, ImportView } from './types.js';
import { isImportFailure, type ImportDone, type ImportFailure } from './persistence.js';

export async function exportBackup(ctx: NodeContext, file: string): Promise<ExportResult> {
  const r = await ctx.data.exportTo(file);
  const skipped = r.skipped.map(({ id, error }) => {
    const ctl = ctx.channels.get(id);
    return { channel: ctl ? shownContract(ctl) : id, code: (error as { code?: string }).code ?? 'INTERNAL', message: error.message };
  });
  return { channels: r.channels, skipped };
}

export interface ImportParts {
  ctx: NodeContext;
  negotiation: Negotiation;
  /** the node's broken channels: updated in place (its retries share the list) */
  broken: BrokenChannelView[];
  resume: (ctl: ChannelController) => Promise<void>;
  /** starts the retries of the broken channels marked `retrying` */
  retry: () => void;
  /** drops a controller: out of the node's channels, unwatched, stopped (what is queued on it fails) */
  drop: (ctl: ChannelController) => void;
  /** keeps defending the contract of a dropped controller whose channel did not load again (standin.ts) */
  standIn: (old: ChannelController) => Promise<void>;
  /** the node's loads of channels, one at a time per channel (shared with the retries) */
  loads: ChannelLoads;
  /** whether the node stops: then nothing is loaded (its next start loads what the import changed) */
  stopped: () => boolean;
}

/**
 * Imports a backup, then loads again every channel it touched, even when it stopped part-way (its error is thrown
 * after, and says what was done).
 */
export async function importBackup(p: ImportParts, file: string, o: { otherNetworks?: 'import' | 'leave' } = {}): Promise<ImportView> {
  const { ctx } = p;
  // Another network's channels: kept in this folder (a CLI folder serves every network), or left out (a folder
  // of this network alone, as the extension's).
  const network = (raw: unknown) => String((raw as { network?: unknown } | null)?.network);
  const leave = o.otherNetworks === 'leave' ? (raw: unknown) => (network(raw) !== ctx.o.network ? network(raw) : null) : undefined;
  let r: ImportDone;
  let stopped: ImportFailure | null = null;
  try {
    r = await ctx.data.importFrom(file, { foreign: (raw) => foreignRecord(raw, ctx), ...(leave ? { leave } : {}) });
  } catch (e) {
    if (!isImportFailure(e)) throw e;
    stopped = e;
    r = e.done;
  }
  const touched = [...r.imported, ...r.closed, ...r.kept, ...(stopped ? [stopped.failed] : [])];
  if (!p.stopped()) await p.loads.hold(touched, () => (p.stopped() ? Promise.resolve() : reload(p, r, stopped?.failed)));
  if (stopped) throw stopped;
  return { imported: r.imported, kept: r.kept, left: r.left.map((x) => ({ channel: x.channel, network: x.why })) };
}

/**
 * Drops the controller of every channel the import restored, closed or failed at (and a broken one it kept: its
 * earlier import may be moved in now), then loads it from its files: restored when imported, else as it is on
 * disk. One that does not load is shown broken (a move not done yet is retried). The caller holds their loads.
 */
async function reload(p: ImportParts, r: ImportDone, failed: string | undefined): Promise<void> {
  const { ctx, broken } = p;
  const imported = new Set(r.imported);
  const wasBroken = (id: string) => broken.some((b) => b.id === id);
  const again = new Set([...r.closed, ...(failed ? [failed] : []), ...r.kept.filter(wasBroken)].filter((id) => !imported.has(id)));
  const dropped = new Map<string, ChannelController>();
  for (const id of [...imported, ...again]) {
    const old = ctx.channels.get(id);
    if (old) p.drop(old);
    if (old) dropped.set(id, old);
  }
  // What the dropped controller knew that the files loaded may lack (a challenge of ours in flight, the close's
  // first step): kept by the one loaded again before it reads the chain.
  const resume = (ctl: ChannelController) => {
    const old = dropped.get(ctl.id);
    if (old) handOver(old, ctl);
    return p.resume(ctl);
  };
  const load = async (only: Set<string>, restored: boolean) => (only.size ? recoverChannels(ctx, p.negotiation, resume, { only, restored }) : []);
  const more = [...(await load(imported, true)), ...(await load(again, false))];
  for (let i = broken.length - 1; i >= 0; i--) if (imported.has(broken[i]!.id) || again.has(broken[i]!.id)) broken.splice(i, 1);
  broken.push(...more);
  // One that does not load is not left undefended meanwhile: a stale close is challenged from what the old one held.
  for (const b of more) if (dropped.has(b.id)) await p.standIn(dropped.get(b.id)!);
  if (more.some((b) => b.retrying)) p.retry();
  // A partner online now is asked at once by each channel's resume (ChannelNode.resumeChannel).
}
