// The withdraw or exit a person asked for, from its start to its result (closing.ts), one at a time per channel:
// while it is planned (before its send starts, when inflight.ts takes over) the views say it, with the code and
// words the node refuses a second one, or the other way out, with.
import type { Capabilities, Capability } from '../core/capabilities.js';

export type LeaveKind = 'withdraw' | 'exit';

/** The code of a refusal while `kind` runs, and its words for the same action again and for the other one. */
export const UNDER_WAY = {
  withdraw: { code: 'WITHDRAW_UNDER_WAY', again: 'a withdraw of this channel is already under way: wait for its result', other: 'a withdraw of this channel is under way: wait for its result' },
  exit: { code: 'EXIT_UNDER_WAY', again: 'an exit of this channel is already under way: wait for its result', other: 'your exit of this channel is under way: wait for its result' },
} as const;

const asked = new WeakMap<object, LeaveKind>();

/** Marks (or, with null, unmarks) the channel's withdraw or exit under way. */
export function markLeave(ctl: object, kind: LeaveKind | null): void {
  if (kind) asked.set(ctl, kind);
  else asked.delete(ctl);
}

/** The withdraw or exit of the channel under way, if one is. */
export function leaveAsked(ctl: object): LeaveKind | undefined {
  return asked.get(ctl);
}

/** `action` while `kind` runs: refused; the other way out with the reason the channel gives, if it gives one. */
function underWay(kind: LeaveKind, action: LeaveKind, can: Capability): Capability {
  const w = UNDER_WAY[kind];
  // our close or exit on its way (inflight.ts) says more: which one, and whether it may still land
  if (!can.ok && (can.code === 'WITHDRAW_UNDER_WAY' || can.code === 'EXIT_UNDER_WAY')) return can;
  if (kind === action) return { ok: false, code: w.code, why: w.again };
  return can.ok ? { ok: false, code: w.code, why: w.other } : can;
}

/** The channel's actions as a view shows them: withdraw and exit refused while one of them runs. */
export function withLeave(ctl: object, caps: Capabilities): Capabilities {
  const kind = asked.get(ctl);
  return kind ? { ...caps, withdraw: underWay(kind, 'withdraw', caps.withdraw), exit: underWay(kind, 'exit', caps.exit) } : caps;
}
