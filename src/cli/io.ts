// The REPL's input and output. At a terminal (stdin and stdout both, text mode) node:readline edits the line: the
// arrow keys recall earlier commands, Tab completes a command's name, and a line printed while a prompt waits (a
// partner's payment, a reconnection) goes above the prompt, which is shown again with what was typed so far.
// Otherwise (a pipe, --json) lines are read as they come.
import { clearLine, createInterface, cursorTo } from 'node:readline';
import { CATALOGUE } from '../node/catalogue.js';
import { jsonLine } from './format.js';
import type { Io } from './repl.js';

/** How many earlier lines the arrow keys recall (this run only: nothing typed is written to disk). */
const HISTORY = 500;

const NAMES = [...new Set(CATALOGUE.filter((c) => c.hosts.includes('cli')).flatMap((c) => [c.name, ...(c.aliases ?? [])]))].sort();

/** Tab at a terminal: the command names that start with the first word typed (only while it is the only word). */
export function completeCommand(line: string): [string[], string] {
  if (/\s/.test(line.trimStart())) return [[], line];
  const word = line.trimStart();
  const hits = NAMES.filter((n) => n.toLowerCase().startsWith(word.toLowerCase()));
  return [hits.length === 1 ? [`${hits[0]} `] : hits, word];
}

/** The lines read and the prompts waiting for one. */
interface Lines {
  queue: string[];
  waiting: ((l: string | null) => void)[];
  ended: boolean;
}

function linesOf(rl: ReturnType<typeof createInterface>, onLine: () => void): Lines {
  const s: Lines = { queue: [], waiting: [], ended: false };
  rl.on('line', (l) => {
    onLine();
    const w = s.waiting.shift();
    if (w) w(l);
    else s.queue.push(l);
  });
  rl.on('close', () => {
    s.ended = true;
    for (const w of s.waiting.splice(0)) w(null);
  });
  return s;
}

/** The REPL's Io on stdin and stdout: one `ask` at a time (a pipe's lines are kept until asked for); `close` ends it. */
export function stdinIo(json: boolean): { io: Io; close: () => void } {
  if (!json && process.stdin.isTTY && process.stdout.isTTY) return terminalIo();
  const rl = createInterface({ input: process.stdin, terminal: false });
  const out = process.stdout;
  // Typed at a terminal, printed to a pipe (`synchannel | tee log`): the prompt waiting for a line, and whether it
  // ends the output (lines printed meanwhile, such as a partner's payment, go below it, and it is shown again).
  let prompt: string | null = null;
  let shown = false;
  const s = linesOf(rl, () => void (prompt = null));
  const io: Io = {
    json,
    interactive: !!process.stdin.isTTY,
    say: (t) => {
      if (json) return;
      if (prompt === null) return void out.write(`${t}\n`);
      out.write(`${shown ? '\n' : ''}${t}\n`);
      if (!shown) return;
      shown = false;
      // once the lines of this turn of the event loop are out
      setImmediate(() => {
        if (prompt === null || shown) return;
        out.write(prompt);
        shown = true;
      });
    },
    emit: (o) => out.write(`${jsonLine(o)}\n`),
    unread: () => s.queue.filter((l) => l.trim() !== ''),
    ask: (text) => {
      const l = s.queue.shift();
      if (l === undefined && s.ended) return Promise.resolve(null); // no prompt that nothing would answer
      if (!json && io.interactive) out.write(text);
      if (l !== undefined) return Promise.resolve(l);
      if (!json && io.interactive) [prompt, shown] = [text, true];
      return new Promise((r) => s.waiting.push(r));
    },
  };
  return { io, close: () => rl.close() };
}

function terminalIo(): { io: Io; close: () => void } {
  const out = process.stdout;
  // whether a prompt waits for a line (what is printed meanwhile goes above it, as it does above a line typed ahead),
  // and whether it is a command's own question (an amount, "Are you sure"): Ctrl+D there cancels that command only
  let [prompting, answering] = [false, false];
  // once stopping, the prompt is not drawn again: what the stop says is written plainly
  let stopping = false;
  let closing = false;
  // the running command's wait that Ctrl+C stops (channelArgs.ts STOPPABLE), if one runs
  let interrupt: (() => void) | null = null;
  let rl!: ReturnType<typeof createInterface>;
  let s!: Lines;
  const open = (history: string[]) => {
    rl = createInterface({ input: process.stdin, output: out, terminal: true, history, historySize: HISTORY, completer: completeCommand, prompt: '' });
    s = linesOf(rl, () => {
      [prompting, answering] = [false, false];
      rl.setPrompt('');
    });
    const mine = rl;
    let kept = history; // readline's 'history' event gives the list as it changes
    mine.on('history', (h: string[]) => void (kept = h));
    mine.on('close', () => {
      prompting = false;
      // Ctrl+D at a command's question: that command is cancelled (its wait got null) and the prompt comes back,
      // with the lines typed so far (the arrow keys still find them)
      if (answering && !closing && !stopping) open(kept);
    });
    // Ctrl+C in raw mode reaches readline, not the process. At a command's own question (an amount, a step, "Are you
    // sure") it cancels that command, as Ctrl+D does, and the node goes on: a node watching channels does not vanish
    // because a question was waved away. While a command waits for the chain or the partner (deposit, send…) it
    // stops that wait, and the node goes on. Elsewhere it stops the node as the signal does (shown as a terminal
    // shows it, and what the stop says starts on a line of its own).
    mine.on('SIGINT', () => {
      if (prompting && answering && !stopping) return cancelQuestion();
      if (!prompting && interrupt && !stopping) {
        out.write('^C\n');
        return interrupt(); // again before the command ends: nothing more (it is stopping)
      }
      [prompting, stopping] = [false, true];
      out.write('^C\n');
      process.kill(process.pid, 'SIGINT');
    });
  };
  /** The question waiting is answered with nothing (its command is cancelled); what was typed at it is dropped. */
  const cancelQuestion = () => {
    out.write('^C\n');
    [prompting, answering] = [false, false];
    rl.setPrompt('');
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    s.waiting.shift()?.(null);
  };
  open([]);
  const io: Io = {
    json: false,
    interactive: true,
    say: (t) => {
      if (stopping || (!prompting && rl.line === '')) return void out.write(`${t}\n`);
      clearLine(out, 0);
      cursorTo(out, 0);
      out.write(`${t}\n`);
      rl.prompt(true); // the prompt again (if one waits), with what was typed so far and the cursor where it was
    },
    emit: (o) => out.write(`${jsonLine(o)}\n`),
    unread: () => s.queue.filter((l) => l.trim() !== ''),
    onInterrupt: (stop) => {
      interrupt = stop;
      return () => void (interrupt === stop && (interrupt = null));
    },
    ask: (text, o) => {
      if (stopping) return new Promise<string | null>(() => undefined); // the process ends with the stop
      answering = !o?.command;
      const l = s.queue.shift();
      if (l === undefined && s.ended) return Promise.resolve(null);
      if (l !== undefined) {
        out.write(`${text}${l}\n`); // typed ahead: shown as its answer
        return Promise.resolve(l);
      }
      rl.setPrompt(text);
      rl.prompt();
      prompting = true;
      return new Promise((r) => s.waiting.push(r));
    },
  };
  return {
    io,
    close: () => {
      closing = true;
      rl.close();
    },
  };
}
