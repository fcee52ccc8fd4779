// Text the CLI prints: the original tool's layout and messages, with exact amounts.
import { formatTon } from '../core/amounts.js';
import type { NodeEvent, StateView } from '../node/types.js';

/** The original `showAll` block: Sender, `A [x y] B`, Step, Signs. */
export function formatState(s: StateView): string {
  const sig = (x: string | null) => (x ? x.slice(0, 8) : '-');
  return [
    `Sender ${s.sender}${s.tag === 'close' ? ' (close)' : ''}${s.committed ? '' : ' (awaiting signature)'}`,
    `A [${formatTon(s.balanceA)} ${formatTon(s.balanceB)}] B`,
    `Step ${s.step}`,
    `Signs A [${sig(s.sigA)} ${sig(s.sigB)}] B`,
  ].join('\n');
}

/** One line (or block) per node event, in the original's words where it had them. */
export function formatEvent(e: NodeEvent): string | null {
  switch (e.type) {
    case 'log':
      return e.level === 'info' ? null : `${e.level}: ${e.message}`;
    case 'served':
      return null;
    case 'partnerConnected':
      return `Partner signature: ${e.partner.signature}\nPartner address: ${e.partner.address}`;
    case 'partnerDisconnected':
      return `Partner ${e.partner.address} disconnected (their node will resend what is missing when it reconnects)`;
    case 'channelProposed':
      return (
        `❗ Your partner proposes a channel❗\n` +
        `They deposit ${formatTon(e.channel.me === 'A' ? e.channel.expectedDepositB : e.channel.expectedDepositA)} TON, ` +
        `you deposit ${formatTon(e.channel.me === 'A' ? e.channel.expectedDepositA : e.channel.expectedDepositB)} TON, ` +
        `challenge period ${e.channel.challengePeriod} s.\nRun \`deposit\` to accept it.`
      );
    case 'channelUpdated':
      return null;
    case 'depositSeen':
      return `Deposit of ${formatTon(e.amount)} TON by ${e.party} reached the contract`;
    case 'channelLocked':
      return `Both deposits are in: the channel ${e.channel.contract} is locked`;
    case 'stateReceived':
      return e.state.step === 0n ? '❗ Received initial state❗' : '❗ Received new state❗';
    case 'stateSigned':
      return '❗ Last state signed successful❗';
    case 'turnRequested':
      return '❗ Your partner request empty state❗';
    case 'closeStarted':
      return e.byPartner
        ? `❗ Your partner sent the state to the smart contract❗ (step ${e.step}; challenge window until ${new Date(e.deadline * 1000).toISOString()})`
        : `Close started with step ${e.step}; it can be finished after ${new Date(e.deadline * 1000).toISOString()}`;
    case 'challenged':
      return e.byMe
        ? `❗ Your partner submitted an old state: challenged it with step ${e.step}❗`
        : `The close was challenged with step ${e.step}`;
    case 'closed':
      return `Channel closed: paid out A ${formatTon(e.payoutA)} TON, B ${formatTon(e.payoutB)} TON`;
    case 'error':
      return `error [${e.code}]: ${e.message}`;
  }
}

/** JSON for --json: bigints as decimal strings, Buffers as hex. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString('hex');
    }
    return v;
  });
}
