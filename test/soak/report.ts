// docs/reliability.md, as `npm run soak` writes it: what ran, what was injected, what was tried, what was lost.
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import { MAX_RESYNC_STATES } from '../../src/core/wire.js';
import { HINT_INTERVAL_MS, PROPOSE_BURST, PROPOSE_PER_SECOND, REPORT_BURST, REPORT_PER_SECOND } from '../../src/node/handlers.js';
import { MAX_PROPOSALS_PER_PARTNER } from '../../src/node/incoming.js';
import { RESYNC_BURST, RESYNC_PER_SECOND } from '../../src/node/sync.js';
import type { SoakResult } from './soak.js';

export interface AttackResult {
  name: string;
  item?: number;
  ok: boolean;
  summary: string;
  seconds: number;
}

export interface FuzzResult {
  name: string;
  inputs: number | null;
  /** null: not run */
  ok: boolean | null;
  note: string;
  seconds: number;
}

export interface Report {
  started: Date;
  seconds: number;
  crash: SoakResult | null;
  crashError: string | null;
  attacks: AttackResult[];
  fuzz: FuzzResult[];
  command: string;
}

const dur = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);

function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM (${Math.round(freemem() / 2 ** 30)} GiB free at the end), ${platform()} ${release()}, Node ${process.version}`;
}

function crashSection(r: SoakResult | null, error: string | null): string[] {
  if (!r) return ['## Crash and fault runs', '', `Did not run${error ? `: ${error}` : ''}.`, ''];
  const kills = Object.entries(r.killsAt).map(([at, n]) => `${n} at ${at}`).join(', ');
  const rpcFaults = r.rpc.errors + r.rpc.hangs + r.rpc.timeouts + r.rpc.resets;
  return [
    '## Crash and fault runs',
    '',
    `Two \`synchannel --json\` processes on a devnet, B dialing A through a TCP proxy, both reaching the devnet's RPC through an HTTP proxy. Seed ${r.seed}.${r.error ? ` **Stopped after run ${r.runs}: ${r.error}**` : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    `| runs | ${r.runs} (${r.payments} payments, ${r.channels} channel(s) opened and closed) |`,
    `| kill -9 | ${r.kills}: ${kills || 'none'} |`,
    `| torn journal tails (a torn copy of the last record appended after a kill) | ${r.tornTails} |`,
    `| TCP proxy | ${r.proxy.connections} connections, ${r.proxy.cuts} cut, ${r.proxy.refused} refused during ${r.partitions} partitions, ${r.proxy.delayed} of ${r.proxy.chunks} chunks delayed, ${r.proxy.duplicated} duplicated |`,
    `| devnet restarts | ${r.devnetRestarts} |`,
    `| RPC faults | ${rpcFaults} injected of ${r.rpc.requests} requests (${r.rpc.errors} HTTP 500/502, ${r.rpc.hangs} held 2.5 s then dropped, ${r.rpc.timeouts} held past the client's 15 s timeout, ${r.rpc.resets} reset), ${r.rpc.upstreamDown} while the devnet was down |`,
    `| node starts that failed and were retried | ${r.failedStarts} |`,
    `| states signed by both, in both final histories | ${r.statesSigned} |`,
    `| states a node reported as signed by both (stateSigned) | ${r.statesReported} |`,
    `| **states lost** | **${r.statesLost}** |`,
    '',
    'Closes (each checked: both nodes report the payout of the latest state both signed):',
    '',
    ...r.closes.map((c) => `- ${c}`),
    '',
  ];
}

export function renderReport(rep: Report): string {
  const failed = rep.attacks.filter((a) => !a.ok).length + rep.fuzz.filter((f) => f.ok === false).length + (rep.crashError || rep.crash?.error ? 1 : 0) + (rep.crash?.statesLost ? 1 : 0);
  return [
    '# Reliability',
    '',
    `Written by \`${rep.command}\` (scripts/soak.ts) on ${rep.started.toISOString().slice(0, 10)}. Do not edit by hand: run it again.`,
    '',
    `- Machine: ${machine()}`,
    `- Duration: ${dur(rep.seconds)}`,
    `- Result: ${failed ? `**${failed} failure(s)**` : 'no failure'}; states lost: ${rep.crash?.statesLost ?? 'n/a'}`,
    '',
    ...crashSection(rep.crash, rep.crashError),
    '## What one peer can make a node do',
    '',
    'The bounds the attacks below check (src/node/handlers.ts, sync.ts, negotiation.ts):',
    '',
    `- rejections answered and shown: ${REPORT_BURST} at once, then ${REPORT_PER_SECOND} per second per peer (the others are counted in the next one shown);`,
    `- new channel proposals: ${PROPOSE_BURST} at once, then one every ${1 / PROPOSE_PER_SECOND} s per peer (declined with the reason); at most ${MAX_PROPOSALS_PER_PARTNER} unaccepted ones kept, in memory only;`,
    `- resync answers: ${RESYNC_BURST} at once, then ${RESYNC_PER_SECOND} per second per channel, ${MAX_RESYNC_STATES} states each; the newest request over the rate waits for the next one;`,
    `- chain reads on a partner's hints (deposit, deployed, close notice): one per ${HINT_INTERVAL_MS / 1000} s per channel;`,
    '- messages about a channel are accepted only from that channel\'s partner (UNKNOWN_CHANNEL otherwise).',
    '',
    '## Attacks',
    '',
    'Each attack runs on a victim node with an honest partner (test/adversary), over real libp2p on 127.0.0.1, and checks what the honest partner still experiences.',
    '',
    '| attack | audit item | result | time |',
    '| --- | --- | --- | --- |',
    ...rep.attacks.map((a) => `| ${a.name} | ${a.item ?? ''} | ${a.ok ? 'held' : '**FAILED**'}: ${a.summary.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${dur(Math.round(a.seconds))} |`),
    '',
    '## Fuzzing',
    '',
    '| decoder | inputs | result | time |',
    '| --- | --- | --- | --- |',
    ...rep.fuzz.map((f) => `| ${f.name} | ${f.inputs ?? ''} | ${f.ok === null ? 'not run' : f.ok ? 'passed' : '**FAILED**'}${f.note ? `: ${f.note}` : ''} | ${dur(Math.round(f.seconds))} |`),
    '',
  ].join('\n');
}
