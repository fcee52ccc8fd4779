// The CLI as its users judge it, through two `synchannel` processes in text mode on a devnet, driven as the README
// shows: Alice at a terminal (a pseudo-terminal: she is prompted and asked "Are you sure"), Bob through a pipe.
// One test per finding: the partner introduced once, send asking for the turn in requestEmpty's words, commands that check what
// the channel allows before prompting, the partner offline, serving again after a restart, one address form,
// the withdrawal summary and "Success withdrawal!" on both sides, --yes from a pipe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CliText, DevnetProc } from './cli-harness.js';

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, 'g')) ?? []).length;
const ADDR = /[A-Za-z0-9_-]{48}/;

describe('synchannel CLI, two terminals on a devnet (text mode)', () => {
  let dir: string;
  let devnet: DevnetProc;
  let alice: CliText;
  let bob: CliText;
  let bobAddr = '';
  const common = () => ['--chain', 'devnet', '--devnet-url', devnet.url];
  const startBob = () => new CliText([...common(), '--data', join(dir, 'bob')]);
  const startAlice = () => new CliText([...common(), '--data', join(dir, 'alice'), '--period', '60'], { tty: true });

  before(async () => {
    buildOnce();
    dir = await mkdtemp(join(tmpdir(), 'synchannel-cli-ux-'));
    devnet = new DevnetProc(join(dir, 'devnet'));
    await devnet.ready;
    alice = startAlice();
    bob = startBob();
    await alice.wait(/Type help for the commands/);
    await bob.wait(/Type help for the commands/);
    await alice.run('faucet 20', /balance now: 20 TON/);
    await bob.run('faucet 20', /balance now: 20 TON/);
  });

  after(async () => {
    await alice?.exit().catch(() => undefined);
    await bob?.exit().catch(() => undefined);
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('help says that irreversible steps need --yes from a pipe', async () => {
    // wait for the last line: the help arrives in several chunks (CI: matched '[--yes]' in an earlier line)
    const out = await bob.run('help', /with --json add --yes/);
    assert.match(out, /Irreversible steps \(withdraw, leave, refund\) ask "Are you sure"; from a pipe or with --json add --yes/);
  });

  test('connect introduces the partner once: "Partner signature" and "Partner address", one line each', async () => {
    const served = await bob.run('serve 0 127.0.0.1', /Waiting for incoming connection/);
    bobAddr = /\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+/.exec(served)![0];
    const from = alice.type(`connect ${bobAddr}`);
    await alice.wait(/Partner address: \S+/, from);
    await bob.wait(/Partner address: \S+/);
    // the channel's whole life follows: the counts are checked on everything printed, at the end of this file's tests
    await alice.run('getPartnerAccount', ADDR);
    assert.equal(count(alice.output(from), /Partner signature: [0-9A-F]{128}/), 1, alice.output(from));
    assert.equal(count(alice.output(from), /Partner address: /), 1);
  });

  test('one address form everywhere: accounts 0Q…, the contract kQ…, the same strings in every command and event', async () => {
    await alice.run('open 3 4', /Proposed channel/);
    await bob.wait(/Your partner proposes a channel/);
    await bob.run('deposit', /Deposit done\. Contract (kQ[\w-]{46})/);
    await alice.wait(/Last state signed successful/);
    await bob.wait(/Last state signed successful/);
    const aliceAccount = ADDR.exec(await alice.run('getAccount', ADDR))![0];
    const bobAccount = ADDR.exec(await bob.run('getAccount', ADDR))![0];
    assert.match(aliceAccount, /^0Q/);
    assert.match(bobAccount, /^0Q/);
    assert.equal(ADDR.exec(await bob.run('getPartnerAccount', ADDR))![0], aliceAccount);
    assert.equal(ADDR.exec(await alice.run('getPartnerAccount', ADDR))![0], bobAccount);
    const contract = ADDR.exec(await alice.run('getSmartContractAccount', ADDR))![0];
    assert.match(contract, /^kQ/);
    assert.equal(ADDR.exec(await bob.run('getSmartContractAccount', ADDR))![0], contract);
    const listed = await alice.run('channels', /you are A/);
    assert.ok(listed.includes(contract) && listed.includes(bobAccount), listed);
    // every address either of them ever printed is one of these three
    for (const out of [alice.output(), bob.output()]) {
      for (const [a] of out.matchAll(/\b[0-9A-Za-z_-]{48}\b/g)) assert.ok([aliceAccount, bobAccount, contract].includes(a), `${a} is printed in another form`);
    }
  });

  test('deposit on a funded channel refuses at once (no "Deposit done")', async () => {
    const out = await alice.run('deposit 1', /deposit failed: .*\n/);
    assert.match(out, /deposit failed: both deposits are in and the channel is locked: it takes no more deposits/);
    assert.doesNotMatch(out, /Deposit done/);
  });

  test("send on the partner's turn asks for it, says so with requestEmpty's name, and pays (the original requestTurn is gone)", async () => {
    const out = await alice.run('send 0.1', /Sent step \d+.*\n/);
    assert.match(out, /it is your partner's turn: asked them for it \(requestEmpty\), waiting for their empty state…\n/);
    assert.match(out, /Sent step 2: A \[2\.9 4\.1\] B/);
    assert.doesNotMatch(out, /requestTurn/);
    // Bob's automatic pass makes it Alice's turn: she passes it back, so the next test starts on Bob's turn again
    const passed = await alice.wait(/Step 3 \(empty: the turn passes\): A \[2\.9 4\.1\] B/);
    // that came after her prompt: the lines go below it, and the prompt is shown again after them
    await alice.wait(/Step 3 \(empty: the turn passes\)[^\n]*\n(?:[^\n]*\n)*> $/, passed.index, 5_000);
    await alice.run('createEmpty', /Created empty state \(step 4\)/);
    // a bare `send` at a terminal right after (her pass awaits Bob's signature; then the turn is his) asks for the
    // amount (no refusal first), waits for the signature, then asks for the turn
    const from = alice.type('send');
    await alice.wait(/Enter amount to send or "exit": /, from);
    alice.type('0.1');
    await alice.wait(/Sent step 6: A \[2\.8 4\.2\] B/, from);
    await alice.wait(/Step 7 \(empty: the turn passes\): A \[2\.8 4\.2\] B/, from);
    await alice.run('createEmpty', /Step 8 \(empty: the turn passes\): A \[2\.8 4\.2\] B\n/);
  });

  test('at a terminal: Tab completes a command, the up arrow recalls the last line, and a line that arrives keeps what is half typed', async () => {
    // keys one at a time, as typed (readline completes on a Tab that ends its chunk of input, not in a paste)
    const keys = async (text: string, echo: RegExp, from: number) => {
      alice.child.stdin.write(text);
      await alice.wait(echo, from);
    };
    let from = alice.mark();
    await keys('getAcc', /getAcc$/, from);
    await keys('\t', /getAccount $/, from);
    alice.child.stdin.write('\n');
    await alice.wait(new RegExp(`getAccount \\n${ADDR.source}\\n`), from);
    from = alice.mark();
    await keys('\x1b[A', /getAccount $/, from);
    alice.child.stdin.write('\n');
    await alice.wait(new RegExp(`getAccount \\n${ADDR.source}\\n`), from);
    // half a command typed when Bob passes the turn: his line goes above, and the prompt comes back with the half
    from = alice.mark();
    await keys('getPartnerAcc', /getPartnerAcc$/, from);
    await bob.run('createEmpty', /Created empty state \(step 9\)/);
    await alice.wait(/Step 9 \(empty: the turn passes\)[^\n]*\n(?:[^\n]*\n)*> getPartnerAcc$/, from);
    alice.child.stdin.write('ount\n');
    await alice.wait(new RegExp(`> getPartnerAccount\\n${ADDR.source}\\n`), from);
    assert.doesNotMatch(alice.output(from), /Unknown command/i);
    await alice.run('createEmpty', /Step 10 \(empty: the turn passes\): A \[2\.8 4\.2\] B\n/);
  });

  test('requestEmpty and send say that the partner is offline; a restarted serving node says it serves again', async () => {
    let mark = alice.mark();
    await bob.kill9();
    await alice.wait(/Partner \S+ disconnected/, mark);
    let out = await alice.run('requestEmpty', /Requested the turn[^\n]*\n/);
    assert.match(out, /partner offline: your request for the turn reaches them when they reconnect/);
    mark = alice.mark();
    bob = startBob();
    await bob.wait(/Serving again \(as before the restart\): \S+/);
    await alice.wait(/Partner \S+ is back online/, mark);
    // Bob answers the turn request by himself (automatic mode): Alice countersigns his empty state
    await alice.wait(/Last state signed successful/, mark);
    mark = alice.mark();
    await bob.kill9();
    await alice.wait(/Partner \S+ disconnected/, mark);
    out = await alice.run('send 0.5', /Sent step \d+[^\n]*\n/);
    assert.match(out, /Sent step \d+: A \[2\.3 4\.7\] B/);
    assert.match(out, /partner offline: your new state reaches them when they reconnect/);
    mark = alice.mark();
    bob = startBob();
    await bob.wait(/Serving again/);
    await alice.wait(/Last state signed successful/, mark);
  });

  test("Ctrl+D at a command's own question cancels that command only: the node goes on (it stopped, money in the channel)", async () => {
    const mark = alice.mark();
    alice.child.stdin.write('send\n');
    await alice.wait(/Enter amount to send or "exit": $/, mark);
    alice.child.stdin.write('\x04');
    await alice.wait(/send[^\n]*cancelled/, mark);
    alice.child.stdin.write('getAccount\n');
    await alice.wait(new RegExp(`getAccount\\n${ADDR.source}\\n`), mark);
    assert.doesNotMatch(alice.output(mark), /end of input|Stopping with money/);
  });

  test('Ctrl+C (SIGINT) stops with the notes exit prints: the money nothing watches then (a signal stopped silently)', async () => {
    const mark = bob.mark();
    bob.child.kill('SIGINT');
    const status = await bob.exited;
    const said = bob.output(mark);
    // Bob is back for the tests that follow, whatever this one finds
    const back = alice.mark();
    bob = startBob();
    await bob.wait(/Serving again/);
    await alice.wait(/Partner \S+ is back online/, back);
    assert.equal(status, 130);
    assert.match(said, /Stopping with money in channel kQ[\w-]{46}: nothing watches the chain for a close by your partner/);
  });

  test('Ctrl+C at a terminal with a command half typed: "^C", the stop notes, and no prompt drawn after them', async () => {
    const mark = alice.mark();
    alice.child.stdin.write('getAcc');
    await alice.wait(/getAcc$/, mark);
    alice.child.stdin.write('\x03');
    const status = await alice.exited;
    const said = alice.output(mark);
    // Alice is back (at a terminal) for the tests that follow, whatever this one finds
    const back = bob.mark();
    alice = startAlice();
    await alice.wait(/Type help for the commands/);
    await bob.wait(/Partner \S+ is back online/, back);
    assert.equal(status, 130);
    assert.match(said, /\^C\n(?:[^\n]*\n)*Stopping with money in channel kQ[\w-]{46}: nothing watches the chain/);
    // each note was followed by the prompt drawn again (with the half-typed command) before the fix
    const after = said.slice(said.indexOf('^C'));
    assert.doesNotMatch(after, /^> /m, said);
  });

  test('piped withdraw without --yes is refused, saying to add --yes', async () => {
    const out = await bob.run('withdraw', /withdraw failed: .*\n/);
    assert.match(out, /add --yes to confirm/);
    assert.doesNotMatch(out, /Success withdrawal/);
  });

  test('withdraw at a terminal: the summary (Account signature, Partner signature, Contract seqno), "Are you sure", then both see "Success withdrawal!" and the balances', async () => {
    const from = alice.type('withdraw');
    await alice.wait(/Enter step number \[\d+\]: /, from);
    alice.type('');
    const summary = (await alice.wait(/Are you sure\[y\/n\]:/, from)) && alice.output(from);
    for (const re of [/Signature A: [0-9A-F]{128}/, /Signature B: [0-9A-F]{128}/, /Balance A: [\d.]+/, /Account signature: [0-9A-F]+/, /Partner signature: [0-9A-F]{128}/, /Step: \d+/, /Contract seqno: none \(no close on chain yet\)/]) {
      assert.match(summary, re);
    }
    const bobFrom = bob.mark();
    alice.type('y');
    await alice.wait(/Success withdrawal!/, from, 120_000);
    await bob.wait(/Success withdrawal!/, bobFrom, 120_000);
    await alice.wait(/Your balance in workchain now: [\d.]+/, from);
    await bob.wait(/Your balance in workchain now: [\d.]+/, bobFrom);
  });

  test('on a closed channel, withdraw and deposit refuse at once: no "Enter step number", and "closed", not "closing"', async () => {
    let out = await alice.run('withdraw', /withdraw failed: .*\n/);
    assert.doesNotMatch(out, /Enter step number/);
    assert.match(out, /closed and paid out/);
    out = await alice.run('deposit', /deposit failed: .*\n/);
    assert.match(out, /closed/);
    assert.doesNotMatch(out, /closing/);
    assert.equal(count(alice.output(), /Partner signature: [0-9A-F]{128}\n/), 2, 'once at connect, once in the withdrawal summary');
  });
});
