// The REPL's input and output when stdin is a terminal and stdout a pipe (`synchannel | tee log`): a line printed
// while the prompt waits goes below it, and the prompt is shown again after it. Run under script(1), which gives
// the child a pseudo-terminal for stdin; its stdout goes through `cat`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const IO = fileURLToPath(new URL('../../src/cli/io.ts', import.meta.url));

/** What the child printed (carriage returns dropped), once it has exited; `input` is typed once `after` is printed. */
function transcript(program: string, after: string, input: string): Promise<string> {
  const cmd = `${process.execPath} --import tsx --input-type=module -e '${program.replace(/\s*\n\s*/g, ' ').replace(/'/g, `'\\''`)}' | cat`;
  const child = spawn('script', ['-q', '-f', '-e', '-c', cmd, '/dev/null']);
  let text = '';
  let typed = false;
  const type = () => {
    if (!typed) child.stdin.write(input);
    typed = true;
  };
  child.stdout.on('data', (d: Buffer) => {
    const before = text;
    text += d.toString().replace(/\r/g, '');
    // typed once the prompt is back after that line, or 3 s after the line if it does not come back
    if (new RegExp(`${after}\n> $`).test(text)) type();
    else if (!before.includes(after) && text.includes(after)) setTimeout(type, 3000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(text);
    }),
  );
}

test('stdin a terminal, stdout a pipe: a line printed while the prompt waits is followed by the prompt again', async () => {
  const program = `
    const m = await import(${JSON.stringify(IO)});
    const { io, close } = (m.stdinIo ?? m.default.stdinIo)(false);
    if (!io.interactive || process.stdout.isTTY) { console.log('not the case under test'); process.exit(2); }
    const line = io.ask('> ');
    setTimeout(() => io.say('Partner paid you 1 TON'), 100);
    console.log('[' + (await line) + ']');
    close();`;
  const out = await transcript(program, 'Partner paid you 1 TON', 'getAccount\n');
  // the terminal echoes what is typed (script(1) records it too)
  assert.match(out, /^> \nPartner paid you 1 TON\n> getAccount\n\[getAccount\]\n$/, out);
});
