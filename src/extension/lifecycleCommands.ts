// The catalogue's commands beyond the original set, in VS Code: open, refund, decline, faucet, leave (the exit),
// challenge, finish, channels, export/import of a backup, help and exit; and the balances panel. What a channel
// allows comes from the node (ChannelView.actions); the words come from the catalogue (src/node/catalogue.ts).
// Irreversible steps (refund, leave) show what happens and ask first.
import * as vscode from 'vscode';
import { helpItems } from './cliWords.js';
import type { Action, ChannelView } from '../node/types.js';
import { offline, partnerOf } from './channelCommands.js';
import type { CommandContext, CommandName, Handler } from './commands.js';
import type { HostedNode } from './hosted.js';
import { confirmStop } from './setupCommands.js';
import { PromptWallet, amountArg, askAmount, cancelled, isTarget, onChain, targetChannel, targetParty, walletRead } from './ui.js';
import { ExtensionError, formatTon, shortAddress } from './util.js';
import { depositsProblem, importSummary, partnerShort, refundTerms, sentOffline } from '../node/uiRules.js';
import { channelDescription, depositMax, faucetWords, finishWords, payoutWords, period, proposedWords, walletNote } from './words.js';

async function channel(c: CommandContext, t: unknown, action: Action, waitable: readonly string[] = []): Promise<{ node: HostedNode; ch: ChannelView }> {
  const node = await c.nodeFor(t, false);
  return { node, ch: await c.channelForAction(node, t, action, waitable) };
}

async function open(c: CommandContext, t: unknown, mineArg?: unknown, theirsArg?: unknown, partnerArg?: unknown) {
  const [m, th, pa] = c.inputs(t, [mineArg, theirsArg, partnerArg]);
  const node = await c.nodeFor(t, true);
  const partners = node.api.partners();
  if (partners.length === 0) throw new ExtensionError('NO_PARTNER', 'no partner yet: Serve on one side, Connect on the other');
  // with several partners connected, the person picks one (the CLI's --partner)
  const partner =
    typeof pa === 'string' && pa
      ? pa
      : partners.length > 1
        ? await c.prompts.pick(
            partners.map((p) => ({ label: shortAddress(p.address), description: p.online ? 'online' : 'offline', detail: p.address, value: p.address })),
            { title: 'SynChannel: open a channel with which partner?', step: 1, totalSteps: 3 },
          )
        : undefined;
  const steps = partners.length > 1 ? { first: 2, total: 3 } : { first: 1, total: 2 };
  // read before the prompt; read again on Enter when it refuses the amount (a top-up while the box was open)
  const wallet = new PromptWallet(node.api, await walletRead(node.api));
  // the most to deposit: the storage fee due and what the wallet keeps for the deployment's fees (the node's figures) are not for the channel
  const most = () => depositMax(null, wallet.now, node.api.depositFees(), false);
  // what was typed into an Open that failed is offered again
  const keys = { mine: `open ${node.id} mine`, theirs: `open ${node.id} theirs` };
  const mine =
    amountArg(m, 'your deposit') ??
    c.amounts.typed(
      keys.mine,
      await askAmount(c.prompts, {
        title: 'SynChannel: open a channel',
        step: steps.first,
        totalSteps: steps.total,
        prompt: () => `Your deposit (0 if you only receive)${walletNote(wallet.now)}`,
        allowZero: true,
        max: most,
        fresh: () => wallet.again(),
        ...c.amounts.value(keys.mine),
      }),
    );
  const theirs =
    amountArg(th, "partner's deposit") ??
    c.amounts.typed(
      keys.theirs,
      await askAmount(c.prompts, {
        title: 'SynChannel: open a channel',
        step: steps.first + 1,
        totalSteps: steps.total,
        prompt: "Your partner's deposit (0 if they only receive)",
        allowZero: true,
        check: (nano) => depositsProblem(mine, nano),
        ...c.amounts.value(keys.theirs, '0'),
      }),
    );
  const problem = depositsProblem(mine, theirs);
  if (problem) throw new ExtensionError('AMOUNT_NOT_POSITIVE', problem);
  // the node tells when the proposal does not reach the partner now (PARTNER_OFFLINE): said as send says it
  const { result: ch, offline: told } = await sentOffline(node.api, () =>
    onChain('proposing the channel…', (p) => node.api.open({ ...p, myDeposit: mine, partnerDeposit: theirs, ...(partner ? { partner } : {}) }), { cancellable: false }),
  );
  c.amounts.done(keys.mine, keys.theirs);
  const short = await partnerShort(node.api, ch);
  void c.info(proposedWords(mine, theirs, offline(c, ch, told, 'proposal'), short));
  return ch;
}

async function refund(c: CommandContext, t: unknown) {
  const { node, ch } = await channel(c, t, 'refund');
  const mine = ch.me === 'A' ? ch.depositA : ch.depositB;
  const ok = await c.prompts.confirm(
    `Take your deposit of ${formatTon(mine)} TON back?`,
    `The contract returns ${refundTerms(ch)}. The channel with ${partnerOf(c, ch)} does not open.`,
    'Refund',
  );
  if (!ok) throw cancelled();
  const r = await onChain('taking your deposit back…', (p) => node.api.refund({ ...p, channel: ch.id }));
  void c.info('refunded: your deposit is back in your wallet');
  return r;
}

async function leave(c: CommandContext, t: unknown) {
  const { node, ch } = await channel(c, t, 'exit');
  const partner = partnerOf(c, ch);
  const ok = await c.prompts.confirm(
    'Leave the channel with the deposits?',
    ch.restorePending
      ? `This channel was restored from a backup and ${partner} has not answered yet: they may hold states signed since, which pay you more than the deposits. The contract pays back the deposits (A ${formatTon(ch.depositA)} TON, B ${formatTon(ch.depositB)} TON) after the challenge window (${period(ch.challengePeriod)}).`
      : `${partner} never signed the initial state. The contract pays back the deposits (A ${formatTon(ch.depositA)} TON, B ${formatTon(ch.depositB)} TON) after the challenge window (${period(ch.challengePeriod)}); ${partner} can still challenge with a state both signed.`,
    'Leave with the Deposits',
  );
  if (!ok) throw cancelled();
  const r = await onChain('starting the exit…', (p) => node.api.exit({ ...p, channel: ch.id, confirmStale: ch.restorePending }));
  void c.info(`exit started: ${payoutWords(node.api.channels().find((x) => x.id === ch.id))}`);
  return r;
}

async function channels(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const all = node.api.channels();
  if (!all.length) throw new ExtensionError('NO_CHANNEL', 'no channel yet: connect to a partner, then open a channel');
  const pick = await c.prompts.pick(
    all.map((ch) => ({ label: `${partnerOf(c, ch)} · partner`, description: channelDescription(ch), detail: shortAddress(ch.contract), value: ch })),
    { title: 'SynChannel: your channels' },
  );
  await vscode.commands.executeCommand('synchannel.openBalances', { party: node.id, channel: pick.id });
  return all;
}

export function lifecycleCommands(c: CommandContext): Partial<Record<CommandName, Handler>> {
  return {
    open: (t, a, b, p) => open(c, t, a, b, p),
    refund: (t) => refund(c, t),
    leave: (t) => leave(c, t),
    channels: (t) => channels(c, t),
    decline: async (t) => {
      // a deposit of ours that may still land: the node judges it by the chain's clock (the view estimates)
      const { node, ch } = await channel(c, t, 'decline', ['MAY_STILL_LAND']);
      const r = await onChain('declining the channel…', () => node.api.decline({ channel: ch.id }), { cancellable: false });
      void c.info(`declined the channel with ${partnerOf(c, ch)}`);
      return r;
    },
    faucet: async (t, a) => {
      const [amount] = c.inputs(t, [a]);
      const node = await c.nodeFor(t, true);
      if (node.api.network === 'testnet') throw new ExtensionError('NO_FAUCET', `testnet has no faucet here: your wallet is ${node.api.getAccount()}`);
      const nano = amountArg(amount, 'amount') ?? 100_000_000_000n;
      const b = await onChain(`getting ${formatTon(nano)} test TON…`, () => node.api.faucet(nano), { cancellable: false });
      void c.info(faucetWords(nano, b));
      return b;
    },
    challenge: async (t) => {
      const { node, ch } = await channel(c, t, 'challenge');
      // its outcome is told here: the node's event of it, which comes before the command returns, is not toasted too
      const mine = node.id === 'me' && !c.challenging.has(ch.id);
      if (mine) c.challenging.add(ch.id);
      let r: ChannelView;
      try {
        r = await onChain('challenging the close with your latest state…', (p) => node.api.challenge({ ...p, channel: ch.id }), { cancellable: false });
      } finally {
        if (mine) c.challenging.delete(ch.id);
      }
      // The node challenges only when it helps: an unchanged step on chain means there was nothing to answer.
      const held = r.closeStep !== null ? `Step ${r.closeStep}` : 'the deposits (an exit)';
      void c.info(r.closeStep !== ch.closeStep ? `the contract now holds ${held}` : `nothing to challenge: the contract holds ${held}, which pays you at least what your latest state does, and no state between could pay you less`);
      return r;
    },
    finish: async (t) => {
      // "still open" is the node's to say once it reads the chain (a window over by the clock, the chain down)
      const { node, ch } = await channel(c, t, 'finish', ['TOO_EARLY']);
      const view = await onChain('finishing the close…', (p) => node.api.finish({ ...p, channel: ch.id }), { cancellable: false });
      void c.info(finishWords(view));
      return view;
    },
    export: async (t, f) => {
      const [fileArg] = c.inputs(t, [f]);
      const node = await c.nodeFor(t, false);
      const file = typeof fileArg === 'string' ? fileArg : (await vscode.window.showSaveDialog({ title: 'SynChannel: export a backup', filters: { Backup: ['synchannel'] } }))?.fsPath;
      if (!file) throw cancelled();
      const r = await node.api.exportBackup(file);
      const left = r.skipped.map((x) => `${x.channel} [${x.code}]: ${x.message}`).join('; ');
      if (left) void c.prompts.notify('warning', `SynChannel: wrote ${r.channels} channel(s) to ${file}, but not ${r.skipped.length} (keep your older backups of these): ${left}`);
      else void c.info(`wrote ${r.channels} channel(s) to ${file}: keep it safe, it holds every state both signed`);
      return r;
    },
    import: async (t, f) => {
      const [fileArg] = c.inputs(t, [f]);
      const node = await c.nodeFor(t, true);
      const file = typeof fileArg === 'string' ? fileArg : (await vscode.window.showOpenDialog({ title: 'SynChannel: import a backup', canSelectMany: false }))?.[0]?.fsPath;
      if (!file) throw cancelled();
      // this window's data folder holds one network's channels: another network's are left out and named
      const r = await node.api.importBackup(file, { otherNetworks: 'leave' });
      void c.info(importSummary(r));
      return r;
    },
    help: async () => {
      const name = await c.prompts.pick(helpItems(), { title: 'SynChannel: all commands' });
      await vscode.commands.executeCommand(`synchannel.${name}`);
      return name;
    },
    exit: async () => {
      await confirmStop(c, 'Exit (stop the node)', 'Stop the Node');
      const running = !!c.host.mainNode;
      await c.host.stopNode();
      // the palette offers Exit always (the original command set): with no node it says so
      if (!running) void c.info('no node is running in this window: nothing to stop');
      return running;
    },
    openBalances: async (t) => {
      const ch = isTarget(t) ? targetChannel(t) : undefined;
      c.balances.show(isTarget(t) && ch ? { key: `${targetParty(t)}:${ch}` } : {});
      return true;
    },
  };
}
