// `synchannel`: the headless local node with the original command set (a REPL; commands also come from stdin
// when it is not a TTY), plus `devnet` (a shared local chain) and `demo` (the whole story, headless).
// CLI parsing: commander (the most used Node CLI parser; small, typed, no dependencies).
import '../polyfill.js';
import { access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, Help, InvalidArgumentError, Option } from 'commander';
import { createNode, makeFolders } from '../node/index.js';
import type { NetworkKind } from '../node/types.js';
import { ADDR_FILE, KEY_FILE } from '../chain/keys.js';
import { SynError } from '../core/errors.js';
import { printable } from '../core/format.js';
import { SYNCHANNEL_VERSION } from '../core/version.js';
import { CONTRACT_VERSION } from '../contract/index.js';
import { jsonLine, stoppingNotes } from './format.js';
import { stdinIo } from './io.js';
import { chainNotRead, chainReadAgain, printEvents } from './startup.js';
import { decimalNumber, wholeNumber } from './numbers.js';
import { demoHelp } from './subhelp.js';
import { jsonError, runLine, withHint, type Io } from './repl.js';

// A reader that went away (`synchannel … | head`): what is printed after that is dropped; the node goes on.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

/**
 * A commander parser of a number flag: decimal digits only, and what was typed when it is not one. Its message
 * starts with "it", which outputError replaces with the flag's name.
 */
function number(parse: (text: string) => number | null, what: string): (text: string) => number {
  return (text) => {
    const n = parse(text);
    if (n === null) throw new InvalidArgumentError(`it takes ${what} (got "${text}")`);
    return n;
  };
}

const program = new Command();
program
  .name('synchannel')
  .description('Synchronous two-party payment channels on TON: the local node and its commands')
  .option('--data <dir>', 'data folder: your key folder (wallet.pk, wallet.addr), channels, p2p identity', 'synchannel-data')
  .addOption(new Option('--chain <kind>', 'which chain').choices(['sandbox', 'devnet', 'testnet']).default('sandbox'))
  .option('--devnet-url <url>', 'devnet endpoint (from `synchannel devnet`)', 'http://127.0.0.1:8081')
  .option('--testnet-endpoint <url>', 'toncenter-compatible testnet endpoint', 'https://testnet.toncenter.com/api/v2/jsonRPC')
  .option('--api-key <key>', 'toncenter API key (or env SYNCHANNEL_API_KEY)')
  .option('--requests-per-second <n>', "testnet: requests a second at most (default 1 without an API key, 10 with one: toncenter's limits)", number(decimalNumber, 'a number such as 10 or 0.5'))
  .option('--json', 'print one JSON object per line (events and command results), for scripts')
  .option('--manual', 'manual turns: do not countersign or pass the turn automatically (as the original tool)')
  .option('--announce <multiaddr...>', 'WAN multiaddrs to print on serve (your public address)')
  .option('--period <seconds>', 'challenge period of channels you open (default: 600 on sandbox/devnet, 86400 on testnet)', number(wholeNumber, 'a whole number of seconds, e.g. 3600'))
  .option('--min-period <seconds>', 'shortest challenge period you accept from a partner (default: 60 on sandbox/devnet, 3600 on testnet)', number(wholeNumber, 'a whole number of seconds, e.g. 3600'))
  .option('-V, --version', 'print the version (and the channel contract it opens channels on) and exit')
  .option('--min-free-mib <n>', 'free space (MiB) the data folder\'s disk keeps: under it no new payment state is signed (default 32; 0: no floor)', number(decimalNumber, 'a number of MiB, e.g. 64 (0: no floor)'))
  .action(async (opts: NodeOpts) => {
    // a network's own flag without that network: the node would run elsewhere than the person meant
    const misplaced = otherChainFlag(opts.chain);
    if (misplaced) program.error(misplaced);
    await runNode(opts);
  });

/** A flag given on the command line that only the other chain uses (`--devnet-url` without `--chain devnet`). */
function otherChainFlag(chain: NetworkKind): string | null {
  const only: [string, string, NetworkKind][] = [['devnetUrl', '--devnet-url', 'devnet'], ['testnetEndpoint', '--testnet-endpoint', 'testnet'], ['apiKey', '--api-key', 'testnet'], ['requestsPerSecond', '--requests-per-second', 'testnet']];
  for (const [key, flag, net] of only) {
    if (net !== chain && program.getOptionValueSource(key) === 'cli') return `${flag} is for --chain ${net}, and this node would run on ${chain === 'sandbox' ? 'the embedded sandbox' : chain}: add --chain ${net}`;
  }
  return null;
}

// Mistakes on the shell's command line: with --json one JSON line like every other error (code USAGE, the next step
// as hint); in text commander's message, with where to look. Commander exits with status 1 after it.
const jsonWanted = process.argv.slice(2).includes('--json');
program.on('option:version', () => {
  if (jsonWanted) process.stdout.write(`${jsonLine({ event: 'version', version: SYNCHANNEL_VERSION, contractVersion: CONTRACT_VERSION })}\n`);
  else process.stdout.write(`synchannel ${SYNCHANNEL_VERSION} (opens channels on channel contract v${CONTRACT_VERSION})\n`);
  process.exit(0);
});
program.configureOutput({
  // --help (and `synchannel help`): with --json the usage text in one JSON line, as every other output
  writeOut: (text) => process.stdout.write(jsonWanted ? `${jsonLine({ event: 'help', usage: text })}\n` : text),
  outputError: (text, write) => {
    // "option '--period <seconds>' argument '0x10' is invalid. it takes …": the flag, then what it takes
    let message = text.trim().replace(/^error: /, '').replace(/^option '(--[\w-]+)[^']*' argument '.*' is invalid\. it /s, '$1 ');
    if (/^too many arguments/.test(message)) {
      const sub = program.args.find((a) => a === 'devnet' || a === 'demo');
      message = sub
        ? `${sub} comes first: synchannel ${sub}${sub === 'devnet' ? ' [--port N] [--data DIR]' : ''} (got ${program.args.join(' ')} after the flags)`
        : `synchannel takes no arguments, only flags (got ${program.args.join(' ')}): commands such as getAccount are typed at its prompt or piped in`;
    }
    if (jsonWanted) process.stdout.write(`${jsonLine({ event: 'fatal', code: 'USAGE', message, hint: 'see synchannel --help for the flags' })}\n`);
    else write(`error: ${message.replace(/\.$/, '')} (see synchannel --help)\n`);
  },
});

// The shell's other commands close the usage: one text, so that --json --help prints it in one line.
const OTHER_COMMANDS = `
Other commands:
  synchannel devnet [--port N] [--data DIR]   serve one persistent sandbox chain on 127.0.0.1 for several nodes
  synchannel demo [--pause]                   run the whole story headless (two nodes, embedded sandbox);
                                              --pause waits for Enter before each part
`;
program.configureHelp({ formatHelp: (cmd, helper) => `${Help.prototype.formatHelp.call(helper, cmd, helper)}${OTHER_COMMANDS}` });

/** `devnet` and `demo` have their own flags: they are dispatched before the node's option parser. */
async function subcommand(argv: string[]): Promise<boolean> {
  const [cmd, ...rest] = argv;
  const help = rest.includes('--help') || rest.includes('-h');
  if (cmd === 'devnet') {
    const { devnetMain } = await import('#heavy');
    // The server keeps the process alive until SIGINT/SIGTERM (it saves the chain then). --json: one JSON line for
    // each line it says (listening, data, log, warning, stopping, fatal; help and version too), as the node's events.
    const json = rest.includes('--json');
    const flags = rest.filter((a) => a !== '--json');
    await devnetMain(flags, json ? { out: () => undefined, err: () => undefined, json: (o) => void process.stdout.write(`${jsonLine(o)}\n`) } : undefined);
    return true;
  }
  // `synchannel help` is the shell's help, as --help (in one JSON line with --json)
  const words = argv.filter((a) => a !== '--json');
  if (words.length === 1 && words[0] === 'help') {
    program.outputHelp();
    return true;
  }
  if (cmd === 'demo' && help) {
    process.stdout.write(rest.includes('--json') ? `${jsonLine({ event: 'help', usage: demoHelp() })}\n` : demoHelp());
    return true;
  }
  if (cmd === 'demo') {
    const unknown = rest.filter((a) => a !== '--pause');
    if (unknown.length) {
      process.stderr.write(`synchannel demo: unknown argument ${unknown[0]}: the demo takes only --pause (see synchannel demo --help)\n`);
      process.exitCode = 2;
      return true;
    }
    const { runDemo } = await import('./demo.js');
    process.exitCode = await runDemo({ pause: rest.includes('--pause') });
    return true;
  }
  return false;
}

type NodeHandle = Awaited<ReturnType<typeof createNode>>;

interface NodeOpts {
  data: string;
  chain: NetworkKind;
  devnetUrl: string;
  testnetEndpoint: string;
  apiKey?: string;
  requestsPerSecond?: number;
  json?: boolean;
  manual?: boolean;
  announce?: string[];
  period?: number;
  minPeriod?: number;
  minFreeMib?: number;
}

/** The node of these options, or null once the reason it could not start is printed. */
async function startNode(opts: NodeOpts, dataDir: string, io: Io): Promise<NodeHandle | null> {
  if (opts.chain === 'sandbox' && !io.json) {
    io.say('Chain: embedded sandbox (in this process only). To pay a partner in another process, start `synchannel devnet` and run both with --chain devnet.');
  }
  try {
    await makeFolders(dataDir);
    await checkKeyReadable(dataDir);
    const apiKey = opts.apiKey ?? process.env.SYNCHANNEL_API_KEY;
    return await createNode({
      network: opts.chain,
      dataDir,
      key: { keyFolder: dataDir, create: true },
      devnetUrl: opts.devnetUrl,
      testnetEndpoint: opts.testnetEndpoint,
      ...(apiKey ? { apiKey } : {}),
      ...(opts.requestsPerSecond !== undefined ? { requestsPerSecond: opts.requestsPerSecond } : {}),
      autoMode: !opts.manual,
      ...(opts.announce ? { announce: opts.announce } : {}),
      ...(opts.period !== undefined ? { challengePeriod: opts.period } : {}),
      ...(opts.minPeriod !== undefined ? { minChallengePeriod: opts.minPeriod } : {}),
      ...(opts.minFreeMib !== undefined ? { minFreeBytes: opts.minFreeMib * 1024 * 1024 } : {}),
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    const fatal = jsonError(err.code ?? 'ERROR', err.message);
    if (io.json) io.emit({ event: 'fatal', ...fatal });
    // the code's next step, as --json gives it and every command's error in text mode appends it
    else process.stderr.write(`synchannel could not start: ${withHint(err.message, fatal.hint)}\n`);
    return null;
  }
}

/** Runs commands until `exit` or the end of input; says which (a `serve` of this input marks io.askedToServe). */
async function commandLoop(node: NodeHandle, io: Io): Promise<{ exitCommand: boolean }> {
  while (true) {
    const line = await io.ask(io.json || !io.interactive ? '' : '> ', { command: true });
    if (line === null) return { exitCommand: false };
    if (!(await runLine(line, node, io))) return { exitCommand: true };
  }
}

async function runNode(opts: NodeOpts): Promise<void> {
  const { io, close } = stdinIo(!!opts.json);
  const dataDir = resolve(opts.data);
  const node = await startNode(opts, dataDir, io);
  if (!node) {
    process.exitCode = 1;
    close();
    return;
  }
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await node.stop().catch(() => undefined);
    close();
  };
  // A signal says what `exit` says before stopping; a second one (stopping already) exits at once.
  const onSignal = (signal: NodeJS.Signals, status: number) => () => {
    if (!stopping) sayStopping(node, io, signal);
    void shutdown().then(() => process.exit(status));
  };
  process.on('SIGINT', onSignal('SIGINT', 130));
  process.on('SIGTERM', onSignal('SIGTERM', 143));
  // Only now 'ready' is printed: a signal sent as soon as it is read finds the handlers in place.
  printEvents(node, opts.chain, dataDir, io);
  io.startedAt = Date.now();
  // A run that ends while the node cannot read its chain (its event said why and what to do) ends with status 1;
  // one whose chain came back (the node's all-clear) does not: nothing is failing at the end.
  let chainUnread = false;
  node.on((e) => {
    if (chainNotRead(e)) chainUnread = true;
    else if (chainReadAgain(e)) chainUnread = false;
  });
  const { exitCommand } = await commandLoop(node, io);
  // Serving because this input asked to, or watching a close: the end of a pipe does not stop that. A listener only
  // restored from before a restart does not keep a one-shot script running: it closes with the node.
  const serving = !!io.askedToServe && !!node.served();
  // A close made while the node was off is known once the chain was read: a one-shot run stays to answer it.
  // (and the read at start: a chain out of reach is said before the run ends; its retries take up to ~10 s)
  const unread = exitCommand ? [] : await node.caughtUp(20_000);
  if (unread.length) {
    const text = `the chain was not read yet for ${unread.length} channel(s) (${unread.slice(0, 3).join(', ')}${unread.length > 3 ? ', …' : ''}): a close made while this node was off may not be known. Keep the node running (do not end its input) until it has read them`;
    if (io.json) io.emit({ event: 'notCaughtUp', channels: unread, message: text });
    else process.stderr.write(`synchannel: ${text}.\n`);
  }
  const closing = node.channels().filter((c) => c.phase === 'closing').map((c) => c.contract);
  if (!exitCommand && (serving || closing.length)) {
    if (io.json) io.emit({ event: 'stdinEnded', serving, closing });
    else {
      const still = [serving ? 'serving your partner' : '', closing.length ? `watching the close of ${closing.join(', ')}` : ''].filter(Boolean);
      process.stderr.write(`synchannel: end of input; still ${still.join(' and ')}. Press Ctrl+C (SIGINT) to stop.\n`);
    }
    await new Promise<void>(() => undefined);
  }
  // Ctrl-D at a terminal: said, as `exit` and Ctrl+C are
  if (!stopping && !exitCommand && io.interactive) io.say('end of input: the node stops.');
  const notRun = exitCommand ? notRunAfterExit(io) : 0;
  if (!stopping) sayStopping(node, io, undefined, notRun, exitCommand);
  // A script can tell: a piped run in which a command failed exits with status 1.
  if ((!io.interactive && io.failed) || chainUnread) process.exitCode = 1;
  await shutdown();
}

/** What the stop leaves unwatched (after `exit`, at least that it stops), and with --json the closing exit line (`signal`: what stopped it). */
function sayStopping(node: NodeHandle, io: Io, signal?: NodeJS.Signals, notRun = 0, exitCommand = false): void {
  const notes = stoppingNotes(node.channels());
  for (const note of notes) io.say(note);
  // `exit` with nothing left to say (lines not run say it themselves): what it does, in one line
  if (exitCommand && !notes.length && !notRun) io.say(node.channels().length ? 'The node stops.' : 'The node stops: no channel here, nothing to close.');
  if (io.json) io.emit({ event: 'exit', ...(signal ? { signal } : {}), ...(io.failed ? { failed: io.failed } : {}), ...(notRun ? { notRun } : {}), ...(notes.length ? { notes } : {}) });
}

/**
 * The lines that came after `exit` are not run: said, with the first of them (--json: `notRun` in the exit line).
 * A piped run exits with status 1 then, as when a command failed: a script learns that some of it did not run.
 */
function notRunAfterExit(io: Io): number {
  const lines = io.unread?.() ?? [];
  if (!lines.length) return 0;
  const shown = lines.slice(0, 3).map((l) => printable(l.trim())).join(', ');
  const n = lines.length;
  const more = n > 3 ? ', …' : '';
  io.say(`exit stopped the node: ${n} line${n > 1 ? 's' : ''} after it ${n > 1 ? 'were' : 'was'} not run (${shown}${more}). Put exit last, or leave it out: a piped run stops at the end of its input.`);
  if (!io.interactive) process.exitCode = 1;
  return lines.length;
}

/**
 * The key folder is the data folder: a key file that exists but cannot be read is said so (the node would
 * otherwise take it for a missing key, try to create one, and report that it already exists).
 */
async function checkKeyReadable(dataDir: string): Promise<void> {
  for (const name of [KEY_FILE, ADDR_FILE]) {
    const file = join(dataDir, name);
    try {
      await access(file, constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') {
        throw new SynError('DATA_DIR_UNREADABLE', `no permission to read your key file ${file}: run as the user who owns it, or fix its permissions (chmod 600, owned by you)`);
      }
    }
  }
}

subcommand(process.argv.slice(2))
  .then((handled) => (handled ? undefined : program.parseAsync(process.argv)))
  .catch((e: Error) => {
    process.stderr.write(`synchannel: ${e.message}\n`);
    process.exit(1);
  });
