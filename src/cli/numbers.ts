// Numbers (and serve's listening place) typed by a person: decimal digits only (Number() also reads "0x10", "1e3", " " and "").
import { isIP } from 'node:net';

/** A whole number written in decimal digits, or null. */
export function wholeNumber(text: string): number | null {
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}

/** A number written in decimal digits with an optional fraction ("0.5", ".5", "10"), or null. */
export function decimalNumber(text: string): number | null {
  return /^(\d{1,15}(\.\d+)?|\.\d+)$/.test(text) ? Number(text) : null;
}

/** A TCP port (0: any free one), or null. */
export function portNumber(text: string): number | null {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : null;
  return n !== null && n <= 65535 ? n : null;
}

/**
 * Where serve listens, as a person types it: a port ("4001"), host:port ("127.0.0.1:4001", "[::1]:4001") or a
 * multiaddr to listen on ("/ip4/0.0.0.0/tcp/4001"). A string that is none of these: why, and what to type.
 */
export function servePlace(text: string): { port: number; host?: string } | { problem: string } {
  const port = portNumber(text);
  if (port !== null) return { port };
  const multi = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)(\/.*)?$/.exec(text);
  if (multi && multi[3]?.startsWith('/p2p/')) return { problem: `"${text}" is a partner's address (it ends in /p2p/…): to dial it, type connect ${text}; serve takes the port you listen on` };
  if (multi && multi[3]) {
    // a transport on top of TCP (websockets, …): this node's libp2p listens on plain TCP only
    const plain = `${text.slice(0, text.length - multi[3].length)} (or the port, ${multi[2]})`;
    const ws = /^\/(wss?|tls\/ws)(\/|$)/.exec(multi[3]);
    if (ws) return { problem: `"${text}" asks for websockets (/${ws[1]}), which this node does not serve: it listens on TCP only. Type ${plain}; your partner connects to the address serve prints` };
    return { problem: `"${text}" ends in ${multi[3]}, which serve does not take: it listens on TCP only. Type ${plain}` };
  }
  const hostPort = multi && !multi[3] ? [multi[1]!, multi[2]!] : /^\[([^\]]+)\]:(\d+)$/.exec(text)?.slice(1) ?? /^([^:/\s]*):(\d+)$/.exec(text)?.slice(1);
  if (hostPort) {
    const p = portNumber(hostPort[1]!);
    if (p === null) return { problem: `"${hostPort[1]}" in "${text}" is not a port: a port is a number from 0 to 65535 (0: any free port)` };
    return hostPort[0] ? { port: p, host: hostPort[0] } : { port: p };
  }
  if (isIP(text)) return { problem: `"${text}" is an address with no port: type the port (e.g. 4001), or host and port (${text.includes(':') ? `[${text}]` : text}:4001)` };
  return { problem: `"${text}" is not a port: enter a number from 0 to 65535 (0: any free port), or host:port (e.g. 127.0.0.1:4001)` };
}
