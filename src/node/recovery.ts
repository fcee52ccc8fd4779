// Recovery at start-up (and after an import): every channel folder becomes a controller, or a "broken" entry
// that says what is wrong and what to do. No channel disappears from the list.
import { Channel } from '../core/channel.js';
import { codeOf, messageOf, nextStep } from '../core/errors.js';
import type { NodeContext } from './context.js';
import { ChannelController } from './controller.js';
import type { Negotiation } from './negotiation.js';
import { upgradeRecord, type ChannelRecord } from './record.js';
import type { BrokenChannelView } from './types.js';

export async function recoverChannels(
  ctx: NodeContext,
  negotiation: Negotiation,
  resume: (ctl: ChannelController) => Promise<void>,
  opts: { only?: ReadonlySet<string>; restored?: boolean } = {},
): Promise<BrokenChannelView[]> {
  const broken: BrokenChannelView[] = [];
  for (const { id, error } of await ctx.data.list()) {
    if (opts.only && !opts.only.has(id)) continue;
    try {
      if (error) throw error;
      const storage = await ctx.data.channel(id);
      const raw = await storage.readRecord<ChannelRecord>();
      if (!raw) {
        await storage.close();
        continue; // an empty folder (a crash before the first write): nothing to recover
      }
      const rec = upgradeRecord(raw);
      if (rec.network !== ctx.o.network) {
        await storage.close();
        continue;
      }
      if (opts.restored) rec.restorePending = true;
      const head = await storage.loadHead();
      const machine = rec.legacy
        ? negotiation.machine(rec)
        : Channel.restore(ChannelController.params(rec), ctx.o.key.secretKey, {
            party: rec.me,
            latest: head.latest,
            staged: head.staged?.state ?? null,
            closing: rec.life === 'closing' || rec.life === 'closed',
            turnRequested: false,
            partnerWantsTurn: false,
          });
      const ctl = new ChannelController(rec, storage, machine);
      ctx.channels.set(ctl.id, ctl);
      if (head.repaired) ctx.log(`channel ${id}: a torn last record (${head.repaired.bytesDropped} bytes) was cut; nothing both signed was lost`, 'warn');
      if (opts.restored) await storage.writeRecord(rec);
      ctx.log(`recovered channel ${id} (${rec.life}, step ${head.latest?.state.step ?? '-'})${rec.legacy ? ': contract v1, close it with SynChannel 0.1' : ''}`);
      await resume(ctl);
    } catch (e) {
      const code = codeOf(e);
      const message = `could not recover channel ${id}: ${messageOf(e)}${nextStep(code) ? ` (${nextStep(code)})` : ''}`;
      broken.push({ id, code, message });
      ctx.emit({ type: 'error', code, level: 'error', message });
    }
  }
  return broken;
}
