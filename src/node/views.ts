// Plain-data views of channels and states for UIs (the CLI, the extension, --json).
import { creatorOf, type SignedState } from '../core/channel.js';
import type { StateView } from './types.js';

export function hex(b: Buffer | null | undefined): string | null {
  return b ? b.toString('hex').toUpperCase() : null;
}

export function stateView(s: SignedState, previous?: SignedState | null): StateView {
  const st = s.state;
  return {
    step: st.step,
    sender: creatorOf(st.step),
    tag: st.tag,
    balanceA: st.balanceA,
    balanceB: st.balanceB,
    sigA: hex(s.sigA),
    sigB: hex(s.sigB),
    committed: !!(s.sigA && s.sigB),
    empty: st.step > 0n && !!previous && previous.state.balanceA === st.balanceA && previous.state.balanceB === st.balanceB,
  };
}
