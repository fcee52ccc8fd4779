// What each catalogue command does in the CLI: parse its arguments, check what the channel allows (the node's
// ChannelView.actions, never a rule of our own), ask for what is missing, call the node, print the original's words.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatTon, parseTon } from '../core/amounts.js';
import { durationText } from '../core/duration.js';
import { checkDialPeerId } from '../p2p/diagnose.js';
import { balancesLine } from '../core/format.js';
import { abortable } from '../node/errors.js';
import { CLOSE_TIMEOUT_MS } from '../node/policy.js';
import { CATALOGUE, commandSpec } from '../node/catalogue.js';
import type { ChannelView } from '../node/types.js';
import { channelBalancesText, depositOnItsWay, formatWithdrawal, signedWhileClosing } from './format.js';
import { addressOf, allowed, argOrAsk, CHANNEL_HELP, CHANNEL_READERS, CONFIRM_TRIES, confirm, nameDefault, requireInline, STOPPABLE, UsageError, waitOptions, withoutChannel, type RunArgs, type Runner } from './channelArgs.js';
import { servePlace, wholeNumber } from './numbers.js';
import { offlineNote, partnerAfterStart } from './offline.js';
import { READERS } from './readCommands.js';
import { unknownCommand } from './suggest.js';
import { balanceText, closeToSend, exitGoesOn, importSummary, openShort, partnerShort, refundTerms, noSuchStep, PARTNER_GRACE_MS, pendingAtWithdraw, SEND_WAIT_MS, sentOffline, withdrawModeProblem } from '../node/uiRules.js';

export { UsageError };

/** What a withdraw in this mode does, said before "Are you sure" (the node's withdraw modes, in words). */
function withdrawPlan(mode: 'auto' | 'cooperative' | 'unilateral', older: boolean, period: number, latest: { step: bigint; tag?: string }): string {
  const window = `the payout waits the challenge window (${durationText(period)}), in which a newer state both signed replaces it`;
  if (mode === 'unilateral' || older) return `A unilateral close: ${window}.`;
  // the close state is a new step (the payout names it; one more when the turn is asked for first): said here,
  // beside the step the user chose
  const which = latest.tag === 'close' ? '' : ` with the balances of step ${latest.step} (a new step after it, which the payout names)`;
  const coop = `your partner signs a close state${which} and the contract pays out at once`;
  if (mode === 'cooperative') return `A cooperative close: ${coop}; nothing is sent to the contract without their signature.`;
  return `A cooperative close if ${coop}; if they are offline and do not connect within ${PARTNER_GRACE_MS / 1000} s, or do not sign within ${CLOSE_TIMEOUT_MS / 1000} s, a unilateral close starts instead and ${window} (--cooperative never falls back).`;
}

/**
 * A state from the partner awaiting this node's signature when it withdraws its latest, and what the node's withdraw
 * does with it (pendingAtWithdraw); `step` is the one a close with the partner pays.
 */
function pendingForClose(ch: ChannelView, step: bigint, mode: 'auto' | 'cooperative' | 'unilateral'): { note: string; step: bigint } | null {
  const p = ch.pending;
  const latest = ch.latest!;
  if (p?.awaiting !== 'me' || step !== latest.step || latest.tag === 'close') return null;
  const mine = (x: { balanceA: bigint; balanceB: bigint }) => (ch.me === 'A' ? x.balanceA : x.balanceB);
  const d = mine(p) - mine(latest);
  const more = d > 0n ? ` (it gives you ${formatTon(d)} TON more than step ${latest.step})` : '';
  const state = `Step ${p.step} from your partner (${balancesLine(p)}) awaits your signature${more}`;
  const note = `${state}: ${pendingAtWithdraw(mode, ch.partnerOnline, latest.step, p.step)}`;
  return { note, step: mode === 'unilateral' ? latest.step : p.step };
}

/** finish's channel: one that allows it, else one open by the view (the node reads the chain: TOO_EARLY is waitable). */
function finishable(a: RunArgs): ChannelView {
  try {
    return allowed(a, 'finish');
  } catch (e) {
    if ((e as { code?: string }).code !== 'TOO_EARLY') throw e;
    return allowed(a, 'finish', ['TOO_EARLY']);
  }
}

/** The partner `open` proposes to, as the node picks it: the one online (else known), never one of several. */
function partnerFirst(a: RunArgs): void {
  const all = a.node.partners();
  if (!all.length) throw Object.assign(new Error('no partner yet: serve and let your partner connect, or connect to their multiaddr'), { code: 'NO_PARTNER' });
  const online = all.filter((p) => p.online);
  const among = online.length ? online : all;
  if (among.length > 1) throw Object.assign(new Error(`several partners are ${online.length ? 'connected' : 'known (none online)'}: name one with --partner (${among.map((p) => p.address).join(', ')})`), { code: 'MANY_PARTNERS' });
}

/** A step number as typed (decimal digits), or a usage error that says where the steps are. */
function stepNumber(text: string): bigint {
  if (!/^\d+$/.test(text)) throw new UsageError(`"${text}" is not a step number: type one of the steps showAll lists, e.g. withdraw 0`);
  return BigInt(text);
}

/** open --partner with this node's own address: said before the node is asked (it said "not connected to" it). */
function notOwnAddress(a: RunArgs, partner: string): void {
  const own = addressOf(partner);
  if (!own || own !== addressOf(a.node.getAccount())) return;
  const online = a.node.partners().filter((p) => p.online).map((p) => p.address);
  throw new UsageError(`${partner} is your own address: --partner takes your partner's (getPartnerAccount shows it${online.length ? `; connected: ${online.join(', ')}` : ''})`);
}

/** Whether a path names a folder (a backup is a file: the store's read of a folder is a raw EISDIR). */
async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** At a terminal, the partner's deposit: a wrong answer is asked again (CONFIRM_TRIES times at most), the rest kept. */
async function askPartnerDeposit(a: RunArgs): Promise<bigint> {
  for (let i = 1; ; i++) {
    const typed = await argOrAsk({ ...a, args: [] }, 0, "Enter your partner's deposit in TON (Enter for none): ", "partner's deposit", 'open 5 5', '0');
    try {
      return parseTon(typed);
    } catch (e) {
      if (i >= CONFIRM_TRIES) throw e;
      a.io.say(`${(e as Error).message}; type the partner's deposit again (Enter for none)`);
    }
  }
}

/**
 * send's amount as typed on its line (undefined: none, asked for at a terminal), checked before any channel is looked
 * at (repl.ts runs it before it resolves --channel too): a bad or missing amount is told before what the channel is
 * or allows.
 */
export function sendAmountOnLine(a: Pick<RunArgs, 'args' | 'io' | 'spec'>): bigint | undefined {
  const inline = a.args[0] !== undefined ? parseTon(a.args[0]) : undefined;
  requireInline(a, 0, 'amount', 'send 0.1');
  return inline;
}

export const RUNNERS: Readonly<Record<string, Runner>> = {
  ...READERS,
  async serve(a) {
    // Optional as help shows: asked for at a terminal (Enter alone: 0), 0 (any free port) from a pipe or with --json.
    const portText = a.args[0] ?? (a.io.json || !a.io.interactive ? '0' : await argOrAsk(a, 0, 'Please, enter a source port or enter "exit" (Enter: any free port): ', 'port', 'serve 0', '0'));
    const place = servePlace(portText);
    if ('problem' in place) throw new UsageError(place.problem);
    if (place.host && a.args[1]) throw new UsageError(`the host is given twice (${place.host} and ${a.args[1]}): type serve <port> [host], or serve <host>:<port>`);
    const { port } = place;
    const host = place.host ?? a.args[1];
    const r = await a.node.serve(port, host);
    a.io.askedToServe = true;
    // served already (this run, or again since the restart): the same listener, said so
    if (r.already) a.io.say(`Already serving${host ? ` on ${host}` : ''}${port ? ` port ${port}` : ''}: nothing new listens; your partner connects to an address below.`);
    a.io.say('To make connection use this address in LAN:');
    for (const x of r.lan) a.io.say(x);
    if (r.wan.length) {
      a.io.say('To make connection use this address in WAN (if you have public IP):');
      for (const x of r.wan) a.io.say(x);
    } else {
      a.io.say('No WAN address known (pass --announce /ip4/<public ip>/tcp/<port> if you have a public IP)');
    }
    // a partner already connected (either way): the listener serves others too; nothing waits for them
    const online = a.node.partners().filter((x) => x.online);
    a.io.say(online.length ? `Connected to ${online.map((x) => x.address).join(', ')}; still listening for incoming connections` : 'Waiting for incoming connection');
    return r;
  },
  async connect(a) {
    const addr = await argOrAsk(a, 0, 'Enter connection string: ', "partner's multiaddr", 'connect /ip4/192.168.1.5/tcp/4001/p2p/12D3Koo…');
    // "Partner signature" and "Partner address" are printed once, by the partnerConnected event.
    await checkDialPeerId(addr); // before the node starts its p2p side for it
    const online = new Set(a.node.partners().filter((p) => p.online).map((p) => p.address));
    const p = await a.node.connect(addr);
    if (online.has(p.address)) a.io.say(`Already connected to ${p.address}`);
    return p;
  },
  async open(a) {
    const partner = a.values.get('partner');
    if (partner !== undefined) notOwnAddress(a, partner);
    // At a terminal, a missing partner is said before the deposits are asked for (the node's own check follows).
    if (a.io.interactive && !a.io.json && a.args.length < 2 && !a.values.has('partner')) partnerFirst(a);
    const mine = parseTon(await argOrAsk(a, 0, 'Enter your deposit in TON: ', 'deposit', 'open 5 5'));
    // Optional: asked for at a terminal, 0 (none) when left out from a pipe or with --json.
    // At the prompt, Enter is none (as Enter at withdraw's step prompt takes the latest).
    const ask = a.args[1] === undefined && a.io.interactive && !a.io.json;
    // the node's funds check of our deposit first: a wallet short of it is said before anything more is asked
    const cannotPay = ask ? await openShort(a.node, mine) : null;
    if (cannotPay) throw Object.assign(new Error(cannotPay), { code: 'INSUFFICIENT_FUNDS' });
    const theirs = ask ? await askPartnerDeposit(a) : parseTon(a.args[1] ?? '0');
    const periodText = a.values.get('period');
    const challengePeriod = periodText !== undefined ? wholeNumber(periodText) : undefined;
    if (challengePeriod === null || challengePeriod === 0) throw new UsageError(`--period takes a whole number of seconds, e.g. --period 3600 (got "${periodText}")`);
    const { result: c, offline } = await sentOffline(a.node, () =>
      a.node.open({ myDeposit: mine, partnerDeposit: theirs, ...(challengePeriod ? { challengePeriod } : {}), ...(partner ? { partner } : {}), onProgress: (m) => a.io.say(m) }),
    );
    a.io.say(`Proposed channel ${c.contract}: you deposit ${formatTon(mine)} TON, your partner ${formatTon(theirs)} TON, challenge period ${c.challengePeriod} s. Waiting for your partner to accept (deposit).`);
    // the node's line said that the partner is offline (PARTNER_OFFLINE): what a proposal needs more is said here
    if (offline.has(c.id)) a.io.say('The proposal reaches them once you are connected again (a node with no channel with you does not redial: connect to them, or ask them to connect).');
    const short = await partnerShort(a.node, c);
    if (short) a.io.say(`Note: ${short}.`);
    // --json: the same note
    return short ? { ...c, partnerShort: short } : c;
  },
  async deposit(a) {
    const amount = a.args[0] !== undefined ? parseTon(a.args[0]) : undefined;
    // a deposit of ours that may still land, a partner's refund: the node judges them by the chain (the view estimates)
    const ch = allowed(a, 'deposit', ['MAY_STILL_LAND', 'PARTNER_REFUNDED']);
    // with the storage fee due when worth saying (the node's funds check counts it), as balanceTon says it
    if (amount === undefined && a.io.interactive && !a.io.json) a.io.say(`Your account balance now: ${balanceText(await abortable(a.node.balanceTonDue(), a.signal))}`);
    const c = await a.node.deposit(amount, { channel: ch.id, ...waitOptions(a) });
    a.io.say(`Deposit done. Contract ${c.contract}: A ${formatTon(c.depositA)} / ${formatTon(c.expectedDepositA)} TON, B ${formatTon(c.depositB)} / ${formatTon(c.expectedDepositB)} TON`);
    return c;
  },
  async refund(a) {
    const ch = allowed(a, 'refund');
    await confirm(a, `refund takes back ${refundTerms(ch)}`);
    const c = await a.node.refund({ channel: ch.id, ...waitOptions(a) });
    a.io.say(`Refunded. Contract ${c.contract}: A ${formatTon(c.depositA)} TON, B ${formatTon(c.depositB)} TON deposited`);
    return c;
  },
  async decline(a) {
    const ch = allowed(a, 'decline', ['MAY_STILL_LAND']);
    const c = await a.node.decline({ channel: ch.id });
    a.io.say(`Declined channel ${c.contract}`);
    return c;
  },
  async send(a) {
    // An amount typed inline is checked first; a missing one is asked for only when sending is possible.
    const inline = sendAmountOnLine(a);
    // `send` lines pasted or piped one after another: the node waits for the state before to be signed and passed;
    // on the partner's turn it asks for it (automatic mode: sendAsksTurn). At a prompt, the amount is asked for when
    // the send will go: our state in flight awaits the partner, or the node asks for the turn.
    const id = a.values.get('channel');
    const seen = id ? a.node.channel(id) : a.node.currentChannel();
    const waits = [...(seen?.pending?.awaiting === 'partner' ? ['PENDING_STATE'] : []), ...(seen?.sendAsksTurn ? ['NOT_YOUR_TURN'] : [])];
    const ch = await partnerAfterStart(a, allowed(a, 'send', inline !== undefined ? ['PENDING_STATE', 'NOT_YOUR_TURN'] : waits));
    const amount = inline ?? parseTon(await argOrAsk(a, 0, 'Enter amount to send or "exit": ', 'amount', 'send 0.1'));
    if (!ch.actions.send.ok && ch.pending?.awaiting === 'partner') a.io.say(`Waiting for your partner's signature of step ${ch.pending.step} first…`);
    const { result: s, offline } = await sentOffline(a.node, () => a.node.send(amount, { channel: ch.id, waitMs: SEND_WAIT_MS, ...waitOptions(a) }));
    a.io.say(`Sent step ${s.step}: ${balancesLine(s)}, waiting for your partner's signature`);
    offlineNote(a, offline.has(ch.id));
    // --json: what the note above says (offline: it goes when they reconnect, the node running)
    return { ...s, partnerOnline: a.node.channel(ch.id)?.partnerOnline === true };
  },
  async sign(a) {
    const ch = allowed(a, 'sign');
    const s = await a.node.sign({ channel: ch.id });
    a.io.say(`Signed step ${s.step}`);
    // an exit seen before or while signing: the signature changes nothing it pays. The stateSigned line printed
    // just now says so of the initial state (exitGoesOn): said once, not again here (--json keeps it in the answer).
    const now = a.node.channel(ch.id) ?? ch;
    const closing = signedWhileClosing(now, s);
    if (closing && !exitGoesOn(now, s.step)) a.io.say(closing);
    return closing ? { ...s, closing } : s;
  },
  async balanceTon(a) {
    const v = await a.node.balanceTonDue();
    a.io.say(`Your account balance now: ${balanceText(v)}`);
    return { balance: v.balance, storageDue: v.storageDue };
  },
  async getAccount(a) {
    const x = a.node.getAccount();
    a.io.say(x);
    return { address: x };
  },
  async getPartnerAccount(a) {
    const x = a.node.getPartnerAccount(a.values.get('channel')) ?? a.node.partners()[0]?.address ?? null;
    if (!x) throw Object.assign(new Error('no partner yet: serve or connect first'), { code: 'NO_PARTNER' });
    a.io.say(x);
    return { address: x };
  },
  async getSmartContractAccount(a) {
    nameDefault(a);
    const x = a.node.getSmartContractAccount(a.values.get('channel'));
    // a channel's contract address is known from its proposal on: none without a channel
    if (!x) throw Object.assign(new Error(`no contract yet: ${withoutChannel(a)}`), { code: 'NO_CONTRACT' });
    a.io.say(x);
    return { address: x };
  },
  async getSeqno(a) {
    const s = await a.node.getSeqno();
    a.io.say(`Seqno: ${s}`);
    return { seqno: s };
  },
  async faucet(a) {
    const b = await a.node.faucet(parseTon(a.args[0] ?? '100'));
    a.io.say(`Your account balance now: ${formatTon(b)} TON`);
    return { balance: b };
  },
  async createEmpty(a) {
    const ch = await partnerAfterStart(a, allowed(a, 'createEmpty'));
    const { result: s, offline } = await sentOffline(a.node, () => a.node.createEmpty({ channel: ch.id }));
    a.io.say(`Created empty state (step ${s.step}): the turn passes to your partner`);
    offlineNote(a, offline.has(ch.id));
    return s;
  },
  async requestEmpty(a) {
    const ch = await partnerAfterStart(a, allowed(a, 'requestEmpty'));
    const { offline } = await sentOffline(a.node, () => a.node.requestEmpty({ channel: ch.id }));
    a.io.say('Requested the turn from your partner');
    offlineNote(a, offline.has(ch.id), 'request');
    return {};
  },
  async withdraw(a) {
    // a step typed wrong is told before what the channel allows
    if (a.args[0] !== undefined) stepNumber(a.args[0]);
    const ch = allowed(a, 'withdraw');
    const latest = ch.latest!;
    // At a terminal the original asks for the step; Enter takes the latest.
    const stepText = a.args[0] ?? (a.io.json || a.flags.has('yes') || !a.io.interactive ? String(latest.step) : await argOrAsk({ ...a, args: [] }, 0, `Enter step number [${latest.step}]: `, 'step', `withdraw ${latest.step}`, String(latest.step)));
    const step = stepNumber(stepText);
    const mode = a.flags.has('unilateral') ? 'unilateral' : a.flags.has('cooperative') ? 'cooperative' : 'auto';
    const modeProblem = withdrawModeProblem(mode, step, latest.step);
    if (modeProblem) throw Object.assign(new Error(modeProblem), { code: 'STALE_STEP' });
    const chosen = step === latest.step ? latest : (await a.node.history(ch.id, step, step + 1n))[0];
    if (!chosen) throw Object.assign(new Error(noSuchStep(step, latest.step)), { code: 'NO_SUCH_STEP' });
    const partner = a.node.partners().find((p) => p.address === ch.partnerAddress);
    for (const l of formatWithdrawal(chosen, { accountSignature: a.node.accountSignature(), partnerSignature: partner?.signature ?? null, contractSeqno: ch.closeStep })) a.io.say(l);
    if (step < latest.step) {
      const mine = (x: { balanceA: bigint; balanceB: bigint }) => (ch.me === 'A' ? x.balanceA : x.balanceB);
      const d = mine(chosen) - mine(latest);
      const than = d < 0n ? `: it gives you ${formatTon(-d)} TON less than the latest` : d > 0n ? `: it gives you ${formatTon(d)} TON more than the latest` : '';
      a.io.say(`Step ${step} is older than the latest state (${latest.step})${than}; your partner can challenge it with a newer state.`);
    }
    if (ch.restorePending) a.io.say('This channel was restored from a backup and your partner has not answered yet: they may hold newer states than this one, and can challenge it.');
    const pending = pendingForClose(ch, step, mode);
    if (pending) a.io.say(pending.note);
    a.io.say(withdrawPlan(mode, step < latest.step, ch.challengePeriod, { ...latest, step: pending?.step ?? latest.step }));
    await confirm(a, `withdraw with step ${step}`);
    // The latest step is left to the node: a state both signed while the user read the plan is the one it submits.
    const older = step < latest.step;
    // Confirmed above: an older step, or a restored channel's latest (the partner may hold later ones).
    const r = await a.node.withdraw({ ...(older ? { step } : {}), mode, confirmStale: older || ch.restorePending, channel: ch.id, ...waitOptions(a) });
    if (r.fellBack) a.io.say(`The cooperative close was not possible (${r.fallbackReason}): a unilateral close started instead.`);
    // A unilateral close is told by the node's closeStarted event (once, with the challenge window's end).
    return r;
  },
  async leave(a) {
    const ch = allowed(a, 'exit');
    a.io.say(`Leaving channel ${ch.contract}: the contract pays back the deposits (A ${formatTon(ch.depositA)} TON, B ${formatTon(ch.depositB)} TON) after the challenge window of ${durationText(ch.challengePeriod)}; your partner can still challenge with a state both signed.`);
    if (ch.restorePending) a.io.say('This channel was restored from a backup and your partner has not answered yet: they may hold states signed since, which pay you more than the deposits.');
    await confirm(a, 'leave the channel with the deposits');
    // told by the node's closeStarted event, with the challenge window's end (confirmed above, restored or not)
    return a.node.exit({ channel: ch.id, confirmStale: ch.restorePending, ...waitOptions(a) });
  },
  async challenge(a) {
    const ch = allowed(a, 'challenge');
    const c = await a.node.challenge({ channel: ch.id, onProgress: (m) => a.io.say(m) });
    const holds = c.closeStep !== null ? `The contract holds step ${c.closeStep}` : 'The contract holds the deposits (an exit)';
    // The node challenges only a close that pays you less than the latest state both signed.
    const challenged = c.closeStep !== ch.closeStep;
    if (!challenged) a.io.say(`${holds}: nothing to challenge, it pays you no less than your latest state both signed${c.latest ? ` (step ${c.latest.step})` : ''}.`);
    else a.io.say(`Challenged. ${holds} now.`);
    return { ...c, challenged };
  },
  async finish(a) {
    // "still open" is the node's to say after it reads the chain: a window over by this clock with the chain unread
    // is told as that read's failure, not as open until a time already past
    const ch = finishable(a);
    const c = await a.node.finish({ channel: ch.id, onProgress: (m) => a.io.say(m) });
    a.io.say(c.phase === 'closed' ? 'The close is finished.' : 'The finish is sent; the payout shows when the chain confirms it.');
    return c;
  },
  async channels(a) {
    const cs = a.node.channels();
    const broken = a.node.brokenChannels();
    const other = a.node.otherNetworks();
    if (!cs.length && !broken.length && !other.length) a.io.say('No channels yet: serve or connect, then open');
    for (const c of cs) {
      // a channel the partner declined that could not end here: what to do, as deposit would say it
      const declined = !c.actions.deposit.ok && c.actions.deposit.code === 'PARTNER_DECLINED' ? ` (${c.actions.deposit.why})` : '';
      const restored = c.restored && (c.phase === 'open' || c.phase === 'locked') ? ' (restored from a backup: it takes no payment; close it with withdraw)' : '';
      const unsent = closeToSend(c);
      a.io.say(`${c.contract} ${c.phase}, you are ${c.me}, partner ${c.partnerAddress}: ${channelBalancesText(c)}${c.legacy ? ' (contract v1: close it with SynChannel 0.1)' : ''}${declined}${depositOnItsWay(c)}${restored}${unsent ? ` (${unsent})` : ''}`);
    }
    for (const x of broken) a.io.say(`${x.id} UNREADABLE [${x.code}]: ${x.message}`);
    // a forgotten --chain: this folder's channels elsewhere are neither run nor watched by this node
    for (const o of other) a.io.say(`${o.contracts.join(', ')} on ${o.network}: not run or watched by this node (on ${a.node.network}); restart it with --chain ${o.network} to use ${o.channels > 1 ? 'them' : 'it'}`);
    return { channels: cs, broken, ...(other.length ? { otherNetworks: other } : {}) };
  },
  async export(a) {
    const file = await argOrAsk(a, 0, 'Backup file to write: ', 'file name', 'export synchannel.backup');
    if (await isFolder(file)) throw Object.assign(new Error(`${file} is a folder: give a file name for the backup, e.g. export ${join(file, 'synchannel.backup')}`), { code: 'DISK_WRITE_FAILED' });
    const r = await a.node.exportBackup(file);
    if (!r.skipped.length) a.io.say(`Wrote ${r.channels} channel(s) to ${file}. Keep it safe: it holds every state both signed.`);
    else {
      a.io.say(`Wrote ${r.channels} channel(s) to ${file}, but not ${r.skipped.length}: it does not hold every channel. Keep your older backups of these:`);
      for (const x of r.skipped) a.io.say(`  ${x.channel} not exported [${x.code}]: ${x.message}`);
    }
    return r;
  },
  async import(a) {
    const file = await argOrAsk(a, 0, 'Backup file to read: ', 'file name', 'import synchannel.backup');
    if (await isFolder(file)) throw Object.assign(new Error(`${file} is a folder: give the backup file's path (the file export wrote)`), { code: 'BACKUP_INVALID' });
    const r = await a.node.importBackup(file);
    const said = importSummary(r);
    a.io.say(`${said.charAt(0).toUpperCase()}${said.slice(1)}.`);
    return r;
  },
  async help(a) {
    const about = a.args[0] !== undefined ? commandSpec(a.args[0]) : undefined;
    if (a.args[0] !== undefined) {
      if (!about || !about.hosts.includes('cli')) throw new UsageError(unknownCommand(a.args[0]));
      a.io.say(`${about.usage.padEnd(40)} ${about.help}`);
      if (about.more) a.io.say(about.more);
      if (about.action || about.irreversible || CHANNEL_READERS.has(about.name)) a.io.say(`It takes ${CHANNEL_HELP}.`);
      if (a.io.onInterrupt && STOPPABLE.has(about.name)) a.io.say('Ctrl+C stops its wait (what was sent still lands); the node goes on.');
      return { command: about.name, usage: about.usage, help: about.help, ...(about.more ? { more: about.more } : {}) };
    }
    a.io.say('All commands:');
    const commands = CATALOGUE.filter((c) => c.hosts.includes('cli'));
    for (const c of commands) a.io.say(`${c.usage.padEnd(40)} ${c.help}`);
    a.io.say(`Any channel command takes ${CHANNEL_HELP}.`);
    a.io.say('Irreversible steps (withdraw, leave, refund) ask "Are you sure"; from a pipe or with --json add --yes.');
    if (a.io.onInterrupt) a.io.say(`Ctrl+C stops the wait of ${[...STOPPABLE].join(', ')} (the node goes on); at the prompt it stops the node.`);
    return { commands: commands.map((c) => ({ name: c.name, usage: c.usage, help: c.help })) };
  },
};
