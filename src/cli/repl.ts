// The interactive command loop: the original command set with the original names and prompts.
// Every command also takes its arguments inline (`serve 3000`, `send 0.1`, `withdraw 2 --yes`); a missing
// argument is asked for with the original prompt (from the next stdin line when stdin is not a TTY).
import { formatTon, parseTon } from '../core/amounts.js';
import type { ChannelNodeApi } from '../node/types.js';
import { formatState, jsonLine } from './format.js';

export interface Io {
  /** prints a line for people (suppressed in --json mode) */
  say(text: string): void;
  /** one JSON object per line (--json mode) */
  emit(obj: Record<string, unknown>): void;
  /** asks for one line; null at end of input */
  ask(prompt: string): Promise<string | null>;
  json: boolean;
}

interface Command {
  name: string;
  aliases?: string[];
  usage: string;
  help: string;
  run(args: string[], flags: Set<string>, node: ChannelNodeApi, io: Io): Promise<unknown>;
}

export class UsageError extends Error {
  readonly code = 'USAGE';
}

async function argOrAsk(args: string[], i: number, io: Io, prompt: string): Promise<string> {
  const v = args[i];
  if (v !== undefined) return v;
  const answer = await io.ask(prompt);
  if (answer === null || answer.trim().toLowerCase() === 'exit') throw new UsageError('cancelled');
  return answer.trim();
}

function channelFlag(flags: Map<string, string>): { channel?: string } {
  const c = flags.get('channel');
  return c ? { channel: c } : {};
}

const valueFlags = new Map<string, string>();

export const commands: Command[] = [
  {
    name: 'serve',
    usage: 'serve [port] [host]',
    help: 'create connection token (listen for your partner)',
    async run(args, _f, node, io) {
      const portText = await argOrAsk(args, 0, io, 'Please, enter a source port or enter "exit": ');
      const port = Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`"${portText}" is not a port: enter a number from 0 to 65535 (0 picks a free one)`);
      const r = await node.serve(port, args[1]);
      io.say('To make connection use this address in LAN:');
      for (const a of r.lan) io.say(a);
      if (r.wan.length) {
        io.say('To make connection use this address in WAN (if you have public IP):');
        for (const a of r.wan) io.say(a);
      } else {
        io.say('No WAN address known (pass --announce /ip4/<public ip>/tcp/<port> if you have a public IP)');
      }
      io.say('Waiting for incoming connection');
      return r;
    },
  },
  {
    name: 'connect',
    usage: 'connect <multiaddr>',
    help: 'connect to other peer',
    async run(args, _f, node, io) {
      const addr = await argOrAsk(args, 0, io, 'Enter connection string: ');
      const p = await node.connect(addr);
      io.say(`Partner signature: ${p.signature}`);
      io.say(`Partner address: ${p.address}`);
      return p;
    },
  },
  {
    name: 'open',
    usage: 'open <your deposit> [partner deposit] [--period s] [--partner address]',
    help: 'propose a channel to your partner (you deploy it once they accept)',
    async run(args, _f, node, io) {
      const mine = parseTon(await argOrAsk(args, 0, io, 'Enter your deposit in TON: '));
      const theirs = args[1] !== undefined ? parseTon(args[1]) : parseTon(await argOrAsk([], 0, io, "Enter your partner's deposit in TON (0 for none): "));
      const periodText = valueFlags.get('period');
      const challengePeriod = periodText ? Number(periodText) : undefined;
      if (challengePeriod !== undefined && (!Number.isInteger(challengePeriod) || challengePeriod < 1)) throw new UsageError('--period takes a whole number of seconds, e.g. --period 600');
      const partner = valueFlags.get('partner');
      const c = await node.open({ myDeposit: mine, partnerDeposit: theirs, challengePeriod, ...(partner ? { partner } : {}), onProgress: (m) => io.say(m) });
      io.say(`Proposed channel ${c.channelId}: you deposit ${formatTon(mine)} TON, your partner ${formatTon(theirs)} TON. Waiting for your partner to accept (deposit).`);
      return c;
    },
  },
  {
    name: 'deposit',
    usage: 'deposit [amount]',
    help: 'make deposit (accepts your partner\'s channel proposal)',
    async run(args, _f, node, io) {
      let amount: bigint | undefined;
      if (args[0] !== undefined) amount = parseTon(args[0]);
      else if (!io.json && process.stdin.isTTY) {
        io.say(`Your account balance now: ${formatTon(await node.balanceTon())} TON`);
      }
      const c = await node.deposit(amount, { ...channelFlag(valueFlags), onProgress: (m) => io.say(m) });
      io.say(`Deposit done. Contract ${c.contract}: A ${formatTon(c.depositA)} / ${formatTon(c.expectedDepositA)} TON, B ${formatTon(c.depositB)} / ${formatTon(c.expectedDepositB)} TON`);
      return c;
    },
  },
  {
    name: 'refund',
    usage: 'refund',
    help: 'take your deposit back before the channel locks',
    async run(_a, _f, node, io) {
      const c = await node.refund({ ...channelFlag(valueFlags), onProgress: (m) => io.say(m) });
      io.say(`Refunded. Contract ${c.contract}: A ${formatTon(c.depositA)} TON, B ${formatTon(c.depositB)} TON deposited`);
      return c;
    },
  },
  {
    name: 'send',
    usage: 'send <amount>',
    help: 'send some amount',
    async run(args, _f, node, io) {
      const amount = parseTon(await argOrAsk(args, 0, io, 'Enter amount to send or "exit": '));
      const s = await node.send(amount, channelFlag(valueFlags));
      io.say(`Sent state ${s.step}: A [${formatTon(s.balanceA)} ${formatTon(s.balanceB)}] B, waiting for your partner's signature`);
      return s;
    },
  },
  {
    name: 'sign',
    usage: 'sign',
    help: 'sign last state',
    async run(_a, _f, node, io) {
      const s = await node.sign(channelFlag(valueFlags));
      io.say(`Signed state ${s.step}`);
      return s;
    },
  },
  {
    name: 'balanceContract',
    usage: 'balanceContract',
    help: 'show balance of contract in workchain',
    async run(_a, _f, node, io) {
      const b = await node.balanceContract(valueFlags.get('channel'));
      io.say(`Smart contract balance: ${formatTon(b)} TON`);
      return { balance: b };
    },
  },
  {
    name: 'balanceChan',
    usage: 'balanceChan',
    help: 'show balance in sync chan',
    async run(_a, _f, node, io) {
      const b = node.balanceChan(valueFlags.get('channel'));
      if (!b) throw new UsageError('no signed state yet: the channel opens when both deposits are in and the initial state is signed');
      io.say(`A [${formatTon(b.balanceA)} ${formatTon(b.balanceB)}] B (step ${b.step})`);
      return b;
    },
  },
  {
    name: 'balanceTon',
    usage: 'balanceTon',
    help: 'show balance in workchain',
    async run(_a, _f, node, io) {
      const b = await node.balanceTon();
      io.say(`Your account balance now: ${formatTon(b)} TON`);
      return { balance: b };
    },
  },
  {
    name: 'getAccount',
    usage: 'getAccount',
    help: 'show user ton account',
    async run(_a, _f, node, io) {
      const a = node.getAccount();
      io.say(a);
      return { address: a };
    },
  },
  {
    name: 'getPartnerAccount',
    usage: 'getPartnerAccount',
    help: 'show partner ton account',
    async run(_a, _f, node, io) {
      const a = node.getPartnerAccount(valueFlags.get('channel'));
      if (!a) throw new UsageError('no partner yet: serve or connect first');
      io.say(a);
      return { address: a };
    },
  },
  {
    name: 'getSmartContractAccount',
    usage: 'getSmartContractAccount',
    help: 'show smart contract address',
    async run(_a, _f, node, io) {
      const a = node.getSmartContractAccount(valueFlags.get('channel'));
      if (!a) throw new UsageError('no contract yet: open a channel (open) and let your partner deposit');
      io.say(a);
      return { address: a };
    },
  },
  {
    name: 'getSeqno',
    usage: 'getSeqno',
    help: 'show seqno of your acc in workchain',
    async run(_a, _f, node, io) {
      const s = await node.getSeqno();
      io.say(`Seqno: ${s}`);
      return { seqno: s };
    },
  },
  {
    name: 'faucet',
    usage: 'faucet [amount]',
    help: 'devnet/sandbox: get test coins (default 100 TON)',
    async run(args, _f, node, io) {
      const b = await node.faucet(parseTon(args[0] ?? '100'));
      io.say(`Your account balance now: ${formatTon(b)} TON`);
      return { balance: b };
    },
  },
  {
    name: 'createEmpty',
    usage: 'createEmpty',
    help: 'create empty state (pass the turn)',
    async run(_a, _f, node, io) {
      const s = await node.createEmpty(channelFlag(valueFlags));
      io.say(`Created empty state ${s.step}`);
      return s;
    },
  },
  {
    name: 'requestEmpty',
    usage: 'requestEmpty',
    help: 'request empty state from your partner',
    async run(_a, _f, node, io) {
      await node.requestEmpty(channelFlag(valueFlags));
      io.say('Requested the turn from your partner');
      return {};
    },
  },
  {
    name: 'showAll',
    usage: 'showAll',
    help: 'show all states',
    async run(_a, _f, node, io) {
      const all = node.showAll(valueFlags.get('channel'));
      if (!all.length) io.say('No states yet');
      for (const s of all) io.say(formatState(s));
      return { states: all };
    },
  },
  {
    name: 'showLast',
    usage: 'showLast',
    help: 'show last state',
    async run(_a, _f, node, io) {
      const s = node.showLast(valueFlags.get('channel'));
      io.say(s ? formatState(s) : 'No states yet');
      return { state: s };
    },
  },
  {
    name: 'withdraw',
    aliases: ['withdrawal'],
    usage: 'withdraw [step] [--yes] [--unilateral|--cooperative]',
    help: 'push actual state in to workchain',
    async run(args, flags, node, io) {
      const channel = valueFlags.get('channel');
      const latest = node.showLast(channel);
      if (!latest) throw new UsageError('no state signed by both yet: nothing to withdraw. Wait for the initial state, or refund before the channel locks');
      const stepText = args[0] ?? (io.json || flags.has('yes') ? String(latest.step) : await argOrAsk([], 0, io, 'Enter step number: '));
      if (!/^\d+$/.test(stepText)) throw new UsageError(`"${stepText}" is not a step number: see showAll`);
      const step = BigInt(stepText);
      const chosen = node.showAll(channel).find((s) => s.step === step);
      if (!chosen) throw new UsageError(`no state both signed at step ${step}: see showAll (latest is ${latest.step})`);
      io.say(`Signature A: ${chosen.sigA}`);
      io.say(`Signature B: ${chosen.sigB}`);
      io.say(`Balance A: ${formatTon(chosen.balanceA)}`);
      io.say(`Balance B: ${formatTon(chosen.balanceB)}`);
      io.say(`Step: ${chosen.step}`);
      const stale = step < latest.step;
      if (stale) io.say(`Step ${step} is older than the latest state (${latest.step}): your partner can challenge it with a newer state.`);
      if (!flags.has('yes')) {
        const ok = await io.ask('Are you sure[y/n]:');
        if (!ok || !/^y(es)?$/i.test(ok.trim())) throw new UsageError('withdraw cancelled');
      }
      const mode = flags.has('unilateral') ? 'unilateral' : flags.has('cooperative') ? 'cooperative' : 'auto';
      const r = await node.withdraw({ step, mode, confirmStale: true, ...(channel ? { channel } : {}), onProgress: (m) => io.say(m) });
      if (r.mode === 'unilateral' && r.payoutA === null) {
        io.say(`Close started with step ${r.step}. The challenge window ends at ${new Date((r.deadline ?? 0) * 1000).toISOString()}; the node finishes the close then.`);
      } else {
        io.say('Success withdrawal!');
        io.say(`Your balance in workchain now: ${formatTon(await node.balanceTon())}`);
      }
      return r;
    },
  },
  {
    name: 'channels',
    usage: 'channels',
    help: 'list your channels',
    async run(_a, _f, node, io) {
      const cs = node.channels();
      if (!cs.length) io.say('No channels yet: serve or connect, then open');
      for (const c of cs) {
        const b = c.latest ? `A [${formatTon(c.latest.balanceA)} ${formatTon(c.latest.balanceB)}] B step ${c.latest.step}` : 'no signed state';
        io.say(`${c.contract ?? `(proposal ${c.channelId})`} ${c.phase} you are ${c.me}, partner ${c.partnerAddress}: ${b}`);
      }
      return { channels: cs };
    },
  },
  {
    name: 'help',
    usage: 'help',
    help: 'list the commands',
    async run(_a, _f, _node, io) {
      io.say('All commands:');
      for (const c of commands) io.say(`${c.usage.padEnd(34)} ${c.help}`);
      io.say(`${'exit'.padEnd(34)} exit from app`);
      return {};
    },
  },
];

const byName = new Map<string, Command>();
for (const c of commands) {
  byName.set(c.name.toLowerCase(), c);
  for (const a of c.aliases ?? []) byName.set(a.toLowerCase(), c);
}

export function tokenize(line: string): { name: string; args: string[]; flags: Set<string>; values: Map<string, string> } {
  const parts = line.trim().split(/\s+/).filter(Boolean);
  const name = (parts.shift() ?? '').toLowerCase();
  const args: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith('--')) {
      const [k, v] = p.slice(2).split('=', 2) as [string, string | undefined];
      if (v !== undefined) values.set(k, v);
      else if ((k === 'period' || k === 'channel' || k === 'partner') && parts[i + 1] !== undefined) values.set(k, parts[++i]!);
      else flags.add(k);
    } else if (p === '-y') flags.add('yes');
    else args.push(p);
  }
  return { name, args, flags, values };
}

/** Runs one command line. Returns false on `exit`. Errors are printed, never thrown. */
export async function runLine(line: string, node: ChannelNodeApi, io: Io): Promise<boolean> {
  const { name, args, flags, values } = tokenize(line);
  if (!name) return true;
  if (name === 'exit' || name === 'quit') return false;
  const cmd = byName.get(name);
  if (!cmd) {
    const msg = `unknown command "${name}": type help for the list`;
    if (io.json) io.emit({ command: name, ok: false, error: { code: 'USAGE', message: msg } });
    else io.say(msg);
    return true;
  }
  valueFlags.clear();
  for (const [k, v] of values) valueFlags.set(k, v);
  try {
    const result = await cmd.run(args, flags, node, io);
    if (io.json) io.emit({ command: cmd.name, ok: true, result });
  } catch (e) {
    const err = e as Error & { code?: string };
    const code = err.code ?? 'ERROR';
    if (io.json) io.emit({ command: cmd.name, ok: false, error: { code, message: err.message } });
    else io.say(`${cmd.name} failed: ${err.message}`);
  }
  return true;
}

export { jsonLine };
