// The node's commands that reach partners over p2p: serve (listen for them) and connect (dial one); each session
// is wired to the node (attach.ts) and the address that answered is kept for the redial after a restart.
import { dialText } from '../p2p/diagnose.js';
import type { SessionWiring } from './attach.js';
import type { NodeContext } from './context.js';
import { dialFailed } from './errors.js';
import type { Sessions } from './sessions.js';
import type { NodeEvent, PartnerView, ServeResult } from './types.js';

export interface PartnerParts {
  ctx: NodeContext;
  sessions: Sessions;
  wiring: SessionWiring;
  /** aborted as the node stops: a dial under way ends with it */
  halt: AbortSignal;
  emit: (e: NodeEvent) => void;
}

export async function serveOn(p: PartnerParts, port: number, host?: string): Promise<ServeResult> {
  // Serving again where we already listen (a restarted node resumes serving by itself) is not an error, nor a
  // second listener: port 0 (any free port) is any port served on that host (on any, without a host).
  const now = p.sessions.servedNow();
  const on = (a: string) => (port === 0 || a.includes(`/tcp/${port}/`)) && (!host || a.includes(`/${host}/`));
  if (now && [...now.lan, ...now.wan].some(on)) return { ...now, already: true };
  const r = await p.ctx.o.p2p.serve(port, host);
  await p.sessions.serve(port, host, r);
  p.emit({ type: 'served', lan: r.lan, wan: r.wan });
  return r;
}

export async function connectTo(p: PartnerParts, typed: string, opts?: { timeoutMs?: number }): Promise<PartnerView> {
  const { ctx, sessions } = p;
  const multiaddr = dialText(typed); // as pasted: quotes around it dropped
  // A peer already connected is answered on its live connection: the address typed is not tried then.
  const peer = /\/p2p\/([^/]+)/.exec(multiaddr)?.[1];
  const live = !!peer && sessions.all().some((x) => x.connected && x.partner.peerId === peer);
  const s = await ctx.o.p2p.connect(multiaddr, opts).catch((e: unknown) => dialFailed(p.halt, multiaddr, e));
  p.wiring.attach(s);
  // Remembered for the redial after a restart, when it is the address that answered: on disk before connect
  // returns (nothing is written into the folder after a stop); a failed write is said, the connection stays.
  if (!live) await sessions.dialled(s, multiaddr).catch((e: Error) => ctx.log(`could not remember ${multiaddr}: ${e.message}`, 'warn'));
  else if (sessions.dialledAt(s) !== multiaddr) ctx.log(`already connected to this partner: ${multiaddr} was not tried, nor kept for the redial after a restart`, 'warn');
  return sessions.view(s, true);
}
