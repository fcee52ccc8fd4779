// Dial and listen errors turned into P2PErrors a person can act on (no libp2p internals in the message;
// the original error stays in `cause`).
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { P2PError } from './errors.js';

export const SYNCHANNEL_PROTOCOL = '/synchannel/1.0.0';

/** Quotes a paste may carry around the address (straight, curly, backticks), as pairs. */
const QUOTES: readonly (readonly [string, string])[] = [['"', '"'], ["'", "'"], ['`', '`'], ['\u201c', '\u201d'], ['\u2018', '\u2019']];

/**
 * The address as pasted, without surrounding space or one pair of quotes around it (a paste from a chat or a
 * shell line). Space inside is refused: two addresses pasted together (Serve prints one per line).
 */
export function dialText(addr: string): string {
  let t = addr.trim();
  const q = QUOTES.find(([open, close]) => t.length >= 2 && t.startsWith(open) && t.endsWith(close));
  if (q) t = t.slice(q[0].length, t.length - q[1].length).trim();
  if (/\s/.test(t)) {
    throw new P2PError('BAD_MULTIADDR', `'${addr.trim()}' holds a space: paste one address, one line of your partner's Serve (e.g. /ip4/192.168.1.5/tcp/4001/p2p/12D3KooW…)`);
  }
  return t;
}

/** Parses a multiaddr to dial, with the errors a person can act on. */
export function parseDialAddr(addr: string): { ma: Multiaddr; peerId: string } {
  let ma: Multiaddr;
  const text = dialText(addr);
  if (!text.startsWith('/')) {
    throw new P2PError('BAD_MULTIADDR', `'${text}' is not a multiaddr: it starts with /ip4/, /ip6/, /dns4/ or /dns6/ and ends with /p2p/<peer id>, e.g. /ip4/192.168.1.5/tcp/4001/p2p/12D3KooW…: copy a whole line of your partner's Serve`);
  }
  try {
    ma = multiaddr(text);
  } catch (e) {
    throw new P2PError('BAD_MULTIADDR', `'${addr}' is not a multiaddr (${(e as Error).message}); expected e.g. /ip4/192.168.1.5/tcp/4001/p2p/12D3KooW…`, { cause: e });
  }
  const comps = ma.getComponents();
  const peerId = comps.find((c) => c.name === 'p2p')?.value;
  if (!peerId) {
    throw new P2PError('MISSING_PEER_ID', `'${addr}' has no /p2p/<peer id>; copy the full address the partner's serve printed (it ends in /p2p/12D3KooW…)`);
  }
  if (!comps.some((c) => c.name === 'tcp')) {
    throw new P2PError('BAD_MULTIADDR', `'${addr}' has no /tcp/<port>; SynChannel dials TCP: expected e.g. /ip4/192.168.1.5/tcp/4001/p2p/${peerId}`);
  }
  return { ma, peerId };
}

/** Throws BAD_MULTIADDR unless the address's /p2p/ part is a peer id (libp2p's own refusal names its decoders). */
export async function checkDialPeerId(addr: string): Promise<void> {
  const { peerId } = parseDialAddr(addr);
  // ESM-only: a dynamic import (see deps.ts)
  const { peerIdFromString } = await import('@libp2p/peer-id');
  try {
    peerIdFromString(peerId);
  } catch {
    throw new P2PError('BAD_MULTIADDR', `the peer id part of the address (${peerId}) is not a valid peer id: a character is missing or extra: copy the whole address your partner's Serve printed (it ends in /p2p/12D3KooW…)`);
  }
}

/** Every name, code and message in an error and its causes (AggregateError's too). */
export function collectMessages(e: unknown, depth = 0): string {
  if (!e || depth > 4) return '';
  const err = e as { name?: string; message?: string; code?: string; errors?: unknown[]; cause?: unknown };
  const parts = [err.name, err.code, err.message].filter(Boolean).join(' ');
  const nested = [...(err.errors ?? []), err.cause].map((x) => collectMessages(x, depth + 1)).filter(Boolean);
  return [parts, ...nested].join(' | ');
}

function firstLine(e: unknown): string {
  const err = e as { message?: unknown };
  return String(err?.message ?? e).split('\n')[0]!.slice(0, 200);
}

/** Why a dial to `addr` failed, in words a person can act on. */
export function classifyDialError(e: unknown, addr: string, expectedPeer: string, timedOut: boolean, timeoutMs: number): P2PError {
  if (e instanceof P2PError) return e;
  const text = collectMessages(e);
  const fail = (code: Parameters<typeof make>[0], message: string) => make(code, message, e);
  if (timedOut) return fail('DIAL_TIMEOUT', `no answer from ${addr} within ${timeoutMs} ms; check the address, that the partner is serving, and firewalls`);
  if (/ECONNREFUSED/i.test(text)) return fail('CONNECTION_REFUSED', `${addr} refused the connection: nothing is listening there; ask the partner to run serve and check the port`);
  if (/unexpected ?peer|UnexpectedPeer|peer id.*(mismatch|did not match)|does not match expected remote identity/i.test(text)) {
    const where = addr.replace(/\/p2p\/[^/]+$/, '');
    return fail('PEER_ID_MISMATCH', `the node at ${where} is another node than the peer id ${expectedPeer} of the address: check that the whole address was copied (a character of its peer id may differ), else your partner's identity changed or the address is stale: ask them for their current multiaddr`);
  }
  if (/dial(ing)? self/i.test(text)) return fail('DIAL_SELF', `${addr} is this node itself; connect to the partner's address`);
  if (/protocol.*(not supported|selection failed)|UnsupportedProtocol/i.test(text)) {
    return fail('DIAL_FAILED', `${addr} does not speak ${SYNCHANNEL_PROTOCOL}; is it a SynChannel node?`);
  }
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(text)) return fail('DIAL_FAILED', `cannot resolve the host of ${addr}: check the name, or use the partner's IP address`);
  if (/EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN/.test(text)) {
    return fail('DIAL_FAILED', `no route to ${addr}: check the address and your network; across the internet the partner must forward its port`);
  }
  if (/NoValidAddresses/i.test(text)) return fail('BAD_MULTIADDR', `${addr} is not an address SynChannel can dial: use /ip4/…, /ip6/…, /dns4/… or /dns6/… with /tcp/<port>/p2p/<peer id>`);
  if (/EncryptionFailed|ECONNRESET|EPIPE/i.test(text)) {
    // Nothing came back (a reset, or EOF before the first byte): refused or hung up; bytes that are not
    // Noise: something else listens there.
    if (/ECONNRESET|EPIPE|reading 0\/|Encryption failed$/i.test(text)) {
      return fail('DIAL_FAILED', `${addr} closed the connection during the secure handshake: the partner's node may be busy or refusing your address for a moment (try again in a few seconds), or this port is not a SynChannel node`);
    }
    return fail('DIAL_FAILED', `${addr} answered, but not with libp2p's secure handshake: is this the port the partner's serve printed?`);
  }
  return fail('DIAL_FAILED', `could not connect to ${addr}: ${firstLine(e)}`);
}

function make(code: 'DIAL_TIMEOUT' | 'CONNECTION_REFUSED' | 'PEER_ID_MISMATCH' | 'DIAL_SELF' | 'DIAL_FAILED' | 'BAD_MULTIADDR', message: string, cause: unknown): P2PError {
  return new P2PError(code, message, { cause });
}

/** Why listening on `host:port` failed, in words a person can act on. */
export function listenError(e: unknown, host: string, port: number): P2PError {
  const text = collectMessages(e);
  if (/EADDRINUSE/.test(text)) return new P2PError('PORT_IN_USE', `port ${port} is in use: pick another port or 0 for a free one`, { cause: e });
  // The address, not the port, is what to change (LISTEN_ADDRESS's hint says so).
  if (/EADDRNOTAVAIL/.test(text)) return new P2PError('LISTEN_ADDRESS', `${host} is not an address of this machine: use 0.0.0.0 (all interfaces), 127.0.0.1, or one of this machine's IPs`, { cause: e });
  if (/EAFNOSUPPORT/.test(text)) return new P2PError('LISTEN_ADDRESS', `this machine has no ${host.includes(':') ? 'IPv6' : 'IPv4'} support for ${host}: use another address`, { cause: e });
  let message: string;
  if (/EACCES|EPERM/.test(text)) message = `port ${port} needs privileges on this system: pick a port above 1023, or 0 for a free one`;
  else {
    const why = /\blisten [A-Z][A-Z_]+[^\n]*/.exec(text)?.[0] ?? 'see the log for details';
    message = `cannot listen on ${host}:${port} (${why}); pick another port or 0 for a free one`;
  }
  return new P2PError('LISTEN_FAILED', message, { cause: e });
}
