// The interactive command loop: the commands of the catalogue (src/node/catalogue.ts) with the original names and
// prompts. Every command also takes its arguments inline (`serve 3000`, `send 0.1`, `withdraw 2 --yes`); at a
// terminal a missing argument is asked for with the original prompt; from a pipe or with --json it is an error.
import { codeOf, givesNextStep, messageOf, nextStep } from '../core/errors.js';
import { commandSpec, type CommandSpec } from '../node/catalogue.js';
import type { ChannelNodeApi } from '../node/types.js';
import { RUNNERS, sendAmountOnLine, UsageError } from './commands.js';
import { jsonLine } from './format.js';
import { closestFlag, unknownCommand } from './suggest.js';
import { CHANNEL_READERS, CHANNEL_VALUE, resolveChannel, STOPPABLE } from './channelArgs.js';
// Double quotes group words (`export "my backup.bin"`) and backslashes stay as typed (Windows paths): string-argv does both.
import { parseArgsStringToArgv } from 'string-argv';

export interface Io {
  /** prints a line for people (suppressed in --json mode) */
  say(text: string): void;
  /** one JSON object per line (--json mode) */
  emit(obj: Record<string, unknown>): void;
  /**
   * asks for one line; null at end of input. `command`: the prompt for the next command (else a command's own
   * question, which Ctrl+D at a terminal cancels without ending the input)
   */
  ask(prompt: string, o?: { command?: boolean }): Promise<string | null>;
  json: boolean;
  /** stdin is a terminal (a person can answer a confirmation) */
  interactive: boolean;
  /** how many commands failed (a piped run exits with status 1 when any did) */
  failed?: number;
  /** when the node started (Date.now()): a piped command right after it waits for the redial of a partner */
  startedAt?: number;
  /** this input asked the node to serve (a piped run keeps serving at the end of its input) */
  askedToServe?: boolean;
  /** the lines read and not run yet, blank ones left out (what an `exit` leaves) */
  unread?(): string[];
  /**
   * At a terminal: while a command whose wait can be stopped (STOPPABLE) runs, Ctrl+C calls `stop` (and the node
   * goes on) instead of stopping the node. Returns the call that ends this (the command is over).
   */
  onInterrupt?(stop: () => void): () => void;
}

export interface Parsed {
  name: string;
  args: string[];
  flags: Set<string>;
  values: Map<string, string>;
  /** value flags given without their value */
  bare: string[];
}

const VALUE_FLAGS = new Set(['period', 'channel', 'partner', 'from', 'to']);

/** Stands for an apostrophe while string-argv splits a line (a private-use character nobody types). */
const APOSTROPHE = '\uE000';

export function tokenize(line: string): Parsed {
  // Only double quotes group words: an apostrophe is a letter (Bob's-backup.bin).
  const parts = parseArgsStringToArgv(line.trim().replaceAll("'", APOSTROPHE)).map((p) => p.replaceAll(APOSTROPHE, "'"));
  const name = (parts.shift() ?? '').toLowerCase();
  const args: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const bare: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith('--')) {
      const [k, v] = p.slice(2).split('=', 2) as [string, string | undefined];
      // `--channel=` with nothing after it: a value flag without its value, as `--channel` alone
      if (v !== undefined && !(v === '' && VALUE_FLAGS.has(k))) values.set(k, v);
      else if (v !== undefined) bare.push(k);
      else if (!VALUE_FLAGS.has(k)) flags.add(k);
      else if (parts[i + 1] !== undefined && !parts[i + 1]!.startsWith('--')) values.set(k, parts[++i]!);
      else bare.push(k);
    } else if (p === '-y') flags.add('yes');
    else args.push(p);
  }
  return { name, args, flags, values, bare };
}


/** Checks a command line against the command's usage: its flags, their values, how many arguments. */
export function checkUsage(p: Parsed, spec: CommandSpec): void {
  const takes = new Set([...spec.usage.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!));
  if (spec.irreversible) takes.add('yes');
  if (spec.action || CHANNEL_READERS.has(spec.name)) takes.add('channel');
  const list = takes.size ? `${spec.name} takes ${[...takes].map((f) => `--${f}`).join(', ')}` : `${spec.name} takes no flags`;
  for (const f of [...p.flags, ...p.values.keys(), ...p.bare]) {
    if (takes.has(f)) continue;
    const near = closestFlag(f, takes);
    throw new UsageError(near ? `unknown flag --${f}: did you mean --${near}? (${list})` : `unknown flag --${f}: ${list}`);
  }
  if (p.bare.length) {
    // --channel is taken by every channel command without being in its usage line
    const f = p.bare[0]!;
    const example = spec.usage.includes(`--${f}`) ? spec.usage : `${spec.usage} --${f} ${CHANNEL_VALUE}`;
    throw new UsageError(`--${f} needs a value, as in \`${example}\``);
  }
  if (p.flags.has('unilateral') && p.flags.has('cooperative')) throw new UsageError('choose --unilateral or --cooperative, not both');
  // `send 1 TON`: the unit was read as one more argument (or as open's partner deposit)
  const amounts = p.args.filter((x) => !/^ton$/i.test(x));
  if (amounts.length < p.args.length && /amount|deposit[>\]]/.test(spec.usage)) {
    throw new UsageError(`amounts are in TON, with no unit: write \`${[spec.name, ...amounts].join(' ')}\``);
  }
  const most = [...spec.usage.matchAll(/[<[]([^>\]]*)[>\]]/g)].filter((m) => !m[1]!.startsWith('--')).length;
  if (p.args.length > most) {
    const quote = /<file>/.test(spec.usage) ? `; a file name with spaces goes in quotes (\`${spec.name} "${p.args.join(' ')}"\`)` : '';
    throw new UsageError(`too many arguments (${p.args.join(' ')}): \`${spec.usage}\`${quote}`);
  }
}

/** Runs one command line. Returns false on `exit`. Errors are printed with what to do, never thrown. */
export async function runLine(line: string, node: ChannelNodeApi, io: Io): Promise<boolean> {
  const parsed = tokenize(line);
  if (!parsed.name) return true;
  const spec = commandSpec(parsed.name);
  const run = spec ? RUNNERS[spec.name] : undefined;
  if (!spec || (!run && spec.name !== 'exit')) {
    io.failed = (io.failed ?? 0) + 1;
    const msg = unknownCommand(parsed.name);
    if (io.json) io.emit({ command: parsed.name, ok: false, error: jsonError('USAGE', msg) });
    else io.say(msg);
    return true;
  }
  // `send --help` (or -h): the command's own usage, as `help send` prints it. --json answers as that command,
  // marked `help` (nothing ran): a script waiting for its command's line gets it.
  if (parsed.flags.has('help') || parsed.args.includes('-h')) {
    const help = commandSpec('help')!;
    const result = await RUNNERS.help!({ name: help.name, args: [spec.name], flags: new Set(), values: new Map(), bare: [], node, io, spec: help });
    if (io.json) io.emit({ command: spec.name, ok: true, help: true, result });
    return true;
  }
  try {
    checkUsage(parsed, spec);
    // checked like any command: `exit now` is refused (the lines after a stop would not run)
    if (spec.name === 'exit') return false;
    // send's amount is told wrong before the channel is looked at
    if (spec.name === 'send') sendAmountOnLine({ ...parsed, io, spec });
    const named = parsed.values.get('channel');
    // a part of a contract (its start or end, as channels and short forms show it) is made the channel's id here
    if (named !== undefined) parsed.values.set('channel', resolveChannel(node, named));
    const result = await runStoppable(spec.name, io, (signal) => run!({ ...parsed, node, io, spec, ...(signal ? { signal } : {}) }));
    if (io.json) io.emit({ command: spec.name, ok: true, result });
  } catch (e) {
    io.failed = (io.failed ?? 0) + 1;
    const code = e instanceof UsageError ? e.code : codeOf(e);
    const message = messageOf(e);
    const sent = (e as { sent?: boolean }).sent === true;
    if (io.json) io.emit({ command: spec.name, ok: false, error: { ...jsonError(code, message), ...(sent ? { sent } : {}) } });
    else if (code === 'CANCELLED') io.say(sent ? `${spec.name}: ${message}` : `${spec.name}: cancelled`);
    else {
      io.say(`${spec.name} failed: ${withHint(message, hintFor(code, message))}`);
    }
  }
  return true;
}

/** Runs a command with a signal that Ctrl+C fires at a terminal, when its wait can be stopped. */
async function runStoppable<T>(name: string, io: Io, run: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  if (!STOPPABLE.has(name) || !io.onInterrupt) return run();
  const ac = new AbortController();
  const done = io.onInterrupt(() => ac.abort());
  try {
    return await run(ac.signal);
  } finally {
    done();
  }
}

/** An error for --json: its code, what happened, and what to do next as text mode appends it to the message. */
export function jsonError(code: string, message: string): { code: string; message: string; hint?: string } {
  const hint = hintFor(code, message);
  return { code, message, ...(hint ? { hint } : {}) };
}

/**
 * A message and its code's next step as one text line: "… Next: …", never in parentheses (many next steps carry
 * their own, and a message may end in some).
 */
export function withHint(message: string, hint: string | undefined): string {
  if (!hint) return message;
  return `${message}${/[.!?]$/.test(message) ? '' : '.'} Next: ${hint}`;
}

/**
 * The code's next step, unless the message already says what to do (it would repeat or contradict it). A usage
 * error never gets one: each says what to type (the usage, the flags taken, an example), whatever its words.
 */
function hintFor(code: string, message: string): string | undefined {
  if (code === 'USAGE') return undefined;
  const hint = nextStep(code);
  return hint && !givesNextStep(message) && addsTo(message, hint) ? hint : undefined;
}

/** The words that carry meaning (4 letters or more), lower case, a possessive's 's dropped. */
const wordsOf = (t: string): Set<string> => new Set((t.toLowerCase().match(/[a-z]{4,}/g) ?? []).map((w) => w.replace(/s$/, '')));

/** Whether a hint says something the message does not: not when half its words are already there. */
function addsTo(message: string, hint: string): boolean {
  const have = wordsOf(message);
  const words = [...wordsOf(hint)];
  return words.length > 0 && words.filter((w) => have.has(w)).length * 2 < words.length;
}

export { jsonLine };
