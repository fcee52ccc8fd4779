// What Serve says: the addresses to give a partner, best first, and the notice with the first of them. Plain text
// from the node's ServeResult (no VS Code here).
import type { ServeResult } from '../node/types.js';

export const isLoopback = (a: string) => /^\/ip4\/127\.|^\/ip6\/::1\//.test(a);

/** Public addresses first (synchannel.announce: for a partner elsewhere), then the local network's, loopback last. */
export function offeredAddresses(r: ServeResult): string[] {
  const all = [...r.wan, ...r.lan];
  return [...all.filter((a) => !isLoopback(a)), ...all.filter(isLoopback)];
}

/** The TCP port of a multiaddr's text ("/ip4/…/tcp/3000/p2p/…"). */
function portOf(addr: string): string {
  return /\/tcp\/(\d+)/.exec(addr)?.[1] ?? '?';
}

/**
 * Serve's notice: the first address to give the partner and how far it reaches; a serve of what was served already
 * (`already`: nothing new listens) says so, and so do partners connected now (`connected`: their addresses, from the
 * node's partners() online), as the CLI does. Null when nothing is served.
 */
export function serveNotice(r: ServeResult, connected: readonly string[] = []): { address: string; text: string } | null {
  const [first] = offeredAddresses(r);
  if (!first) return null;
  const where = isLoopback(first)
    ? ' (this machine only: no LAN address found)'
    : r.wan.includes(first)
      ? ''
      : ` (your local network only: for a partner elsewhere, forward port ${portOf(first)} to this machine and set synchannel.announce to your public address)`;
  const partners = connected.length ? `Connected to ${connected.join(', ')}; still listening for other partners.` : null;
  const what = r.already ? `Already serving: nothing new listens.${partners ? ` ${partners}` : ''}` : (partners ?? 'waiting for a partner.');
  return { address: first, text: `${what} Give them this address${where}: ${first}` };
}
