// Fault injection for the crash-recovery tests: SYNCHANNEL_CRASH_AT=<point>[,<point>…] kills the process with
// SIGKILL (a real kill -9, no cleanup) the first time it reaches that point of the protocol. Never set in use.

/** Read once: process.env is slow to read, and crash points are on every payment's path. */
const CRASH_AT = new Set((process.env.SYNCHANNEL_CRASH_AT ?? '').split(',').filter(Boolean));

/** Kills the process here when SYNCHANNEL_CRASH_AT names `point`. */
export function crashPoint(point: string): void {
  if (CRASH_AT.has(point)) process.kill(process.pid, 'SIGKILL');
}
