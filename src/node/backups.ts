// A node's backups: export of its channels to one file, and import of such a file into a running node (the
// imported channels are recovered as restored, and their partners asked for what they hold).
import type { Arbiter } from './arbiter.js';
import type { NodeContext } from './context.js';
import type { Negotiation } from './negotiation.js';
import type { ChannelController } from './controller.js';
import type { Sync } from './sync.js';
import { recoverChannels } from './recovery.js';
import { foreignRecord } from './record.js';
import { shownContract } from './addresses.js';
import type { BrokenChannelView, ExportResult, ImportView } from './types.js';

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
  arbiter: Arbiter;
  negotiation: Negotiation;
  sync: Sync;
  /** the node's broken channels: updated in place (its retries share the list) */
  broken: BrokenChannelView[];
  resume: (ctl: ChannelController) => Promise<void>;
}

export async function importBackup(p: ImportParts, file: string, o: { otherNetworks?: 'import' | 'leave' } = {}): Promise<ImportView> {
  const { ctx, broken } = p;
  // Another network's channels: kept in this folder (a CLI folder serves every network), or left out (a folder
  // of this network alone, as the extension's).
  const network = (raw: unknown) => String((raw as { network?: unknown } | null)?.network);
  const leave = o.otherNetworks === 'leave' ? (raw: unknown) => (network(raw) !== ctx.o.network ? network(raw) : null) : undefined;
  const r = await ctx.data.importFrom(file, { foreign: (raw) => foreignRecord(raw, ctx), ...(leave ? { leave } : {}) });
  for (const id of r.imported) {
    const old = ctx.channels.get(id);
    if (old) p.arbiter.unwatch(old);
  }
  const more = await recoverChannels(ctx, p.negotiation, p.resume, { only: new Set(r.imported), restored: true });
  // The restored channels replace their broken entries.
  for (let i = broken.length - 1; i >= 0; i--) if (r.imported.includes(broken[i]!.id)) broken.splice(i, 1);
  broken.push(...more);
  // A partner online now is asked at once (otherwise on its next connection).
  for (const id of r.imported) {
    const ctl = ctx.channels.get(id);
    if (ctl && ctx.sessionOf(ctl)?.connected) p.sync.resync(ctl);
  }
  return { imported: r.imported, kept: r.kept, left: r.left.map((x) => ({ channel: x.channel, network: x.why })) };
}
