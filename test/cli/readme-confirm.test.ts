// README's CLI section said nothing of how "Are you sure" is answered, though it now asks again (CONFIRM_TRIES
// times) on an answer that is neither yes nor no, Enter alone included: the README says what the prompt does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { CONFIRM_TRIES } from '../../src/cli/channelArgs.js';

test("README's CLI section says how \"Are you sure\" is answered: y/yes, n/no, anything else asked again", async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const cli = readme.slice(readme.indexOf('## The command line'), readme.indexOf('## The VS Code extension'));
  const words = ['three', 'four', 'five'][CONFIRM_TRIES - 3];
  const said = cli.replace(/\s+/g, ' ');
  assert.match(said, /"Are you sure\[y\/n\]:"/);
  assert.match(said, /`y` or `yes` goes on, `n` or `no` cancels \(any case\)/);
  assert.match(said, new RegExp(`anything else, Enter alone included, is asked again \\(${words} times at most, then nothing is done\\)`));
  assert.match(said, /Ctrl\+D cancels/);
  assert.match(said, /from a pipe or with `--json` they need `--yes`/);
});
