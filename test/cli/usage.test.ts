// The CLI's command lines are checked against each command's usage before anything reaches the node: unknown or
// contradictory flags, a flag without its value, extra arguments and (from a pipe or with --json) missing ones are
// usage errors that say what to type; at a terminal a missing argument is asked for, as the original did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';
import { SEND_WAIT_MS, SYNC_OFFLINE_GRACE_MS } from '../../src/node/uiRules.js';

/** A node that must not be reached: a usage error is decided by the command line alone. */
const untouchable = new Proxy({} as ChannelNodeApi, {
  get: (_t, k) => {
    throw new Error(`the node was reached (${String(k)})`);
  },
});

function io(o: { json?: boolean; interactive?: boolean; answers?: string[] } = {}) {
  const said: string[] = [];
  const emitted: Record<string, unknown>[] = [];
  const asked: string[] = [];
  const answers = [...(o.answers ?? [])];
  const it: Io = {
    say: (t) => said.push(t),
    emit: (x) => emitted.push(x),
    ask: async (p) => {
      asked.push(p);
      return answers.shift() ?? null;
    },
    json: o.json ?? false,
    interactive: o.interactive ?? false,
  };
  return { it, said, emitted, asked };
}

async function usage(line: string, o: { json?: boolean; interactive?: boolean } = {}): Promise<string> {
  const x = io({ json: true, ...o });
  await runLine(line, untouchable, x.it);
  const r = x.emitted[0] as { ok: boolean; error?: { code: string; message: string } };
  assert.equal(x.asked.length, 0, `asked ${x.asked.join(', ')}`);
  assert.equal(r?.ok, false, JSON.stringify(x.emitted));
  assert.equal(r.error!.code, 'USAGE', r.error!.message);
  return r.error!.message;
}

test('unknown flags are refused with the flags the command takes', async () => {
  assert.match(await usage('balanceChan --chanel kQABC'), /--chanel.*balanceChan takes --channel/);
  assert.match(await usage('send 1 --yes'), /--yes/);
  assert.match(await usage('withdraw --force'), /--force.*--yes, --unilateral, --cooperative, --channel/);
});

test('contradictory flags, a flag without its value and extra arguments are refused', async () => {
  assert.match(await usage('withdraw --unilateral --cooperative --yes'), /--unilateral or --cooperative, not both/);
  assert.match(await usage('open 1 1 --period'), /--period needs a value/);
  assert.match(await usage('open 1 1 --period --partner x'), /--period needs a value/);
  assert.match(await usage('send 1 2'), /too many arguments.*send <amount>/);
  assert.match(await usage('getAccount now'), /too many arguments.*getAccount/);
});

test('from a pipe or with --json a missing argument is an error, never read from the next line', async () => {
  assert.match(await usage('connect'), /connect <multiaddr>/);
  assert.match(await usage('export'), /export <file>/);
  const piped = io({ answers: ['channels'] });
  await runLine('export', untouchable, piped.it);
  assert.deepEqual(piped.asked, []);
  assert.match(piped.said.join('\n'), /export failed: .*export <file>/);
});

test("open from a pipe: the partner's deposit, shown as optional, is 0 when left out", async () => {
  let asked: unknown = null;
  const node = { on: () => () => undefined, open: async (o: unknown) => ((asked = o), { channelId: '1', contract: 'kQx' }) } as unknown as ChannelNodeApi;
  const piped = io({});
  await runLine('open 0.5', node, piped.it);
  assert.deepEqual(piped.asked, []);
  assert.equal((asked as { myDeposit: bigint; partnerDeposit: bigint } | null)?.partnerDeposit, 0n, piped.said.join('\n'));
  assert.equal((asked as { myDeposit: bigint }).myDeposit, 500_000_000n);
});

test("open says when the partner's wallet cannot fund the deposit asked of them (they can accept only after a top-up)", async () => {
  const read: unknown[] = [];
  const node = (wallet: bigint | Error) =>
    ({
      on: () => () => undefined,
      open: async (o: { myDeposit: bigint; partnerDeposit: bigint }) => ({ channelId: '1', contract: 'kQx', partnerAddress: '0Qpartner', challengePeriod: 600, partnerOnline: true, me: 'A', expectedDepositA: o.myDeposit, expectedDepositB: o.partnerDeposit }),
      balanceTonDue: async (a?: string) => {
        read.push(a);
        if (wallet instanceof Error) throw wallet;
        return { balance: wallet, storageDue: null };
      },
      depositFees: () => 30_000_000n,
    }) as unknown as ChannelNodeApi;
  const short = io({});
  await runLine('open 3 4', node(1_000_000_000n), short.it);
  assert.deepEqual(read, ['0Qpartner']);
  assert.match(short.said.join('\n'), /Note: your partner's wallet holds 1 TON now, less than the 4 TON you ask them to deposit and about 0\.03 TON for fees and a close, kept in the wallet so you can always leave the channel alone: they can accept only once they top it up/);
  const json = io({ json: true });
  await runLine('open 3 4', node(1_000_000_000n), json.it);
  assert.match((json.emitted[0] as { result?: { partnerShort?: string } }).result?.partnerShort ?? '', /^your partner's wallet holds 1 TON now/, JSON.stringify(json.emitted, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  // a read that does not answer (a slow testnet endpoint) costs the note, not the command: 3 s at most
  const stuck = { ...node(0n), balanceTonDue: () => new Promise<never>(() => undefined) } as unknown as ChannelNodeApi;
  const slow = io({});
  const t0 = Date.now();
  await runLine('open 3 4', stuck, slow.it);
  assert.ok(Date.now() - t0 < 5_000, `open waited ${Date.now() - t0} ms for the partner's wallet`);
  assert.match(slow.said.join('\n'), /Proposed channel/);
  assert.doesNotMatch(slow.said.join('\n'), /Note:/);
  for (const [line, wallet] of [['open 3 4', 5_000_000_000n], ['open 3 4', new Error('chain down')], ['open 3', 1_000_000_000n]] as const) {
    const x = io({});
    await runLine(line, node(wallet), x.it);
    assert.doesNotMatch(x.said.join('\n'), /Note:|failed/, `${line} ${String(wallet)}`);
  }
  // a partner who deposits nothing still pays the fees of leaving: an empty wallet is said too
  const none = io({});
  await runLine('open 3', node(0n), none.it);
  assert.match(none.said.join('\n'), /Note: your partner's wallet holds 0 TON now: they deposit nothing, but need about 0\.03 TON in the wallet for the fees of a close, or of a challenge of a stale close and the finish: without it what they receive is at risk\. They can accept only once they fund it/);
});

test('at a terminal a missing argument is asked for, with the original prompt', async () => {
  const t = io({ interactive: true, answers: ['exit'] });
  await runLine('serve', untouchable, t.it);
  assert.deepEqual(t.asked, ['Please, enter a source port or enter "exit" (Enter: any free port): ']);
  assert.match(t.said.join('\n'), /cancelled/);
});

test('Enter alone at a prompt with no default says what the command needs, and the node is never asked', async () => {
  for (const [line, needs] of [['connect', /connect needs the partner's multiaddr \(e\.g\. `connect \/ip4\//], ['export', /export needs the file name/], ['import', /import needs the file name/]] as const) {
    const t = io({ interactive: true, answers: [''] });
    await runLine(line, untouchable, t.it);
    assert.match(t.said.join('\n'), /nothing entered/, line);
    assert.match(t.said.join('\n'), needs, line);
  }
});

test('serve with a partner connected says so and that it still listens, not that it waits for a connection', async () => {
  const node = { serve: async () => ({ lan: ['/ip4/127.0.0.1/tcp/40001/p2p/12D3KooWx'], wan: [] }), partners: () => [{ address: '0QAlice', online: true }, { address: '0QGone', online: false }] } as unknown as ChannelNodeApi;
  const t = io({});
  await runLine('serve 0', node, t.it);
  assert.match(t.said.join('\n'), /Connected to 0QAlice; still listening for incoming connections$/);
  assert.doesNotMatch(t.said.join('\n'), /Waiting for incoming connection/);
});

test('Enter alone at the port prompt serves on a free port (0), as a serve from a pipe does', async () => {
  let port: unknown = null;
  const node = { serve: async (p: number) => ((port = p), { lan: ['/ip4/127.0.0.1/tcp/40001/p2p/12D3KooWx'], wan: [] }), partners: () => [] } as unknown as ChannelNodeApi;
  const t = io({ interactive: true, answers: [''] });
  await runLine('serve', node, t.it);
  assert.equal(port, 0, t.said.join('\n'));
  assert.match(t.said.join('\n'), /tcp\/40001/);
});

test('a --channel that names no channel says so, for the commands that only read one too', async () => {
  const none = new Proxy({} as ChannelNodeApi, {
    // channels: a part of a contract is looked for among them, and among other networks' (none here)
    get: (_t, k) => (k === 'channels' || k === 'otherNetworks' ? () => [] : k === 'channel' || k === 'otherNetworkOf' ? () => null : () => {
      throw new Error(`the node was asked for ${String(k)}`);
    }),
  });
  for (const line of ['showLast --channel nonsense', 'showAll --channel nonsense', 'balanceChan --channel 123', 'send 1 --channel 9']) {
    const x = io({ json: true });
    await runLine(line, none, x.it);
    const r = x.emitted[0] as { ok: boolean; error?: { code: string; message: string } };
    assert.equal(r.error?.code, 'UNKNOWN_CHANNEL', `${line}: ${JSON.stringify(r)}`);
    assert.match(r.error!.message, /no channel (nonsense|123|9) \(see channels\)/);
  }
});

test('with several live channels and no --channel, a command says which channel it took', async () => {
  const views = [{ contract: 'C1', phase: 'open' }, { contract: 'C2', phase: 'open' }, { contract: 'C3', phase: 'closed' }];
  const two = { channels: () => views, currentChannel: () => views[1], showLast: () => null } as unknown as ChannelNodeApi;
  const x = io();
  await runLine('showLast', two, x.it);
  assert.deepEqual(x.said, ['(channel C2: you have 2 channels not closed, name another with --channel)', 'No states yet']);
  const one = { channels: () => views.slice(1), currentChannel: () => views[1], showLast: () => null } as unknown as ChannelNodeApi;
  const y = io();
  await runLine('showLast', one, y.it);
  assert.deepEqual(y.said, ['No states yet']);
});

test('connect to a partner already connected says so (it printed nothing)', async () => {
  const p = { address: 'EQpartner', online: true };
  const n = { partners: () => [p], connect: async () => p } as unknown as ChannelNodeApi;
  const x = io();
  await runLine('connect /ip4/127.0.0.1/tcp/1/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', n, x.it);
  assert.deepEqual(x.said, ['Already connected to EQpartner']);
});

test('help <command> and <command> --help say what that command does (both were refused)', async () => {
  for (const line of ['help send', 'send --help', 'send -h', 'withdraw --help']) {
    const x = io({ json: false });
    await runLine(line, untouchable, x.it);
    const name = line.includes('withdraw') ? 'withdraw' : 'send';
    assert.match(x.said[0] ?? '', new RegExp(`^${name} `), `${line}: ${x.said.join(' | ')}`);
    assert.doesNotMatch(x.said.join('\n'), /unknown flag|too many arguments|failed/);
    // send says how it meets the partner's turn
    if (name === 'send') assert.match(x.said[1] ?? '', /partner's turn, automatic mode asks for it first \(as requestEmpty\)/);
  }
  // the commands that read one channel take --channel too, and help says so
  for (const line of ['help showAll', 'balanceChan --help']) {
    const x = io({ json: false });
    await runLine(line, untouchable, x.it);
    assert.ok(x.said.includes('It takes --channel <contract, or 4+ characters of its start or end> when you have several channels (the short form channels shows, kQAb…wxyz, works too).'), `${line}: ${x.said.join(' | ')}`);
  }
  const unknown = io({ json: false });
  await runLine('help nosuch', untouchable, unknown.it);
  assert.match(unknown.said[0] ?? '', /unknown command "nosuch": type help for the list/);
});

// It said "up to 15 s" only: with the partner offline a send does not wait for them, except just after a start.
test("help send says the node's own waits: for the partner's signature, and for an offline partner just after a start", async () => {
  const x = io({ json: false });
  await runLine('help send', untouchable, x.it);
  const text = x.said.join('\n');
  assert.match(text, new RegExp(`up to ${SEND_WAIT_MS / 1000} s\\) for your partner to sign`));
  assert.match(text, new RegExp(`with your partner offline it does not wait for them, except just after your node starts \\(${SYNC_OFFLINE_GRACE_MS / 1000} s for them to connect\\)`));
});

test('serve from a pipe or with --json: the port is optional as help shows (0, any free port); only decimal digits 0..65535 are a port', async () => {
  const ports: unknown[] = [];
  const n = { serve: async (port: number) => (ports.push(port), { lan: [], wan: [] }), partners: () => [] } as unknown as ChannelNodeApi;
  for (const o of [{ json: true }, { json: false }]) {
    const x = io(o);
    await runLine('serve', n, x.it);
    assert.deepEqual(x.asked, []);
    assert.equal((x.emitted[0] as { ok?: boolean } | undefined)?.ok ?? true, true, JSON.stringify(x.emitted));
  }
  assert.deepEqual(ports, [0, 0]);
  for (const bad of ['0x10', '1e3', '70000', '-1', '3000.0', '']) {
    const m = await usage(`serve ${bad === '' ? '""' : bad}`);
    assert.match(m, /is not a port: enter a number from 0 to 65535/, bad);
  }
});

test('open --period takes decimal digits only (0x10 was 16 seconds)', async () => {
  assert.match(await usage('open 1 1 --period 0x10'), /--period takes a whole number of seconds/);
  assert.match(await usage('open 1 1 --period 1e3'), /--period takes a whole number of seconds/);
});

test('an unknown command names the closest known one (it said only "type help for the list")', async () => {
  const said = async (line: string, json = false) => {
    const x = io({ json });
    await runLine(line, untouchable, x.it);
    return json ? (x.emitted[0] as { error: { code: string; message: string } }).error.message : x.said.join('\n');
  };
  assert.match(await said('withdrawl'), /unknown command "withdrawl": did you mean withdraw\?/);
  assert.match(await said('balancechn'), /did you mean balanceChan\?/);
  assert.match(await said('sned 1'), /did you mean send\?/);
  assert.match(await said('showlats', true), /did you mean showLast\?/);
  assert.match(await said('help withdrwa'), /did you mean withdraw\?/);
  assert.match(await said('nosuchcommand'), /^unknown command "nosuchcommand": type help for the list$/);
});

test('open at a terminal says there is no partner before it asks for the deposits (it asked for both first)', async () => {
  const alone = { partners: () => [] } as unknown as ChannelNodeApi;
  const t = io({ interactive: true, answers: ['1', '1'] });
  await runLine('open', alone, t.it);
  assert.deepEqual(t.asked, []);
  assert.match(t.said.join('\n'), /open failed: no partner yet/);
  const two = { partners: () => [{ address: '0Qa', online: true }, { address: '0Qb', online: true }] } as unknown as ChannelNodeApi;
  const u = io({ interactive: true, answers: ['1', '1'] });
  await runLine('open 1', two, u.it);
  assert.deepEqual(u.asked, []);
  assert.match(u.said.join('\n'), /--partner/);
});

test("Enter at open's partner-deposit prompt means none, not an error that loses the deposit typed", async () => {
  const opened: { myDeposit: bigint; partnerDeposit: bigint }[] = [];
  const node = {
    partners: () => [{ address: '0Qa', online: true }],
    on: () => () => undefined,
    open: async (o: { myDeposit: bigint; partnerDeposit: bigint }) => (opened.push(o), { contract: 'kQc', challengePeriod: 3600, partnerOnline: true }),
  } as unknown as ChannelNodeApi;
  const t = io({ interactive: true, answers: ['3', ''] });
  await runLine('open', node, t.it);
  assert.deepEqual(opened.map((o) => [o.myDeposit, o.partnerDeposit]), [[3_000_000_000n, 0n]], t.said.join('\n'));
  assert.match(t.asked[1]!, /partner's deposit in TON \(Enter for none\)/);
});

test('a word that starts several commands lists them; exit refuses arguments (the lines after it would not run); a flag with no value shows it with one', async () => {
  const said = async (line: string) => {
    const x = io();
    await runLine(line, untouchable, x.it);
    return x.said.join('\n');
  };
  assert.match(await said('balance'), /^unknown command "balance": did you mean balanceContract, balanceChan or balanceTon\? \(type help for the list\)$/);
  assert.match(await said('get'), /did you mean getAccount, getPartnerAccount, getSmartContractAccount or getSeqno\?/);
  const x = io({ json: true });
  assert.equal(await runLine('exit now', untouchable, x.it), true, 'the node keeps running');
  assert.match((x.emitted[0] as { error: { message: string } }).error.message, /too many arguments \(now\): `exit`/);
  assert.equal(await runLine('exit', untouchable, io().it), false);
  assert.match(await usage('send 1 --channel'), /--channel needs a value, as in `send <amount> --channel <contract, or 4\+ characters of its start or end>`/);
  assert.match(await usage('open 1 --period'), /--period needs a value, as in `open <your deposit> \[partner deposit\] \[--period s\]/);
});

test('a file name with spaces is given in double quotes; apostrophes and backslashes (Windows paths) stay as typed; unquoted it is refused with the quoting to use', async () => {
  const files: string[] = [];
  const n = {
    exportBackup: async (f: string) => (files.push(f), { channels: 0, skipped: [] }),
    importBackup: async (f: string) => (files.push(f), { imported: [], kept: [], left: [] }),
  } as unknown as ChannelNodeApi;
  for (const line of ['export "my backups/a b.bin"', 'import "my backups/a b.bin"', 'export C:\\Users\\me\\a.bin', "export Bob's-backup.bin", "import /tmp/o'brien's.bin"]) await runLine(line, n, io().it);
  assert.deepEqual(files, ['my backups/a b.bin', 'my backups/a b.bin', 'C:\\Users\\me\\a.bin', "Bob's-backup.bin", "/tmp/o'brien's.bin"]);
  // an empty "" names no file: the usage error says what to type
  assert.match(await usage('export ""'), /the file name is missing/);
  assert.equal(await usage('export my backup.bin'), 'too many arguments (my backup.bin): `export <file>`; a file name with spaces goes in quotes (`export "my backup.bin"`)');
});

test('at a terminal, refund says what it takes back before "Are you sure" (the terms were only in the error from a pipe)', async () => {
  const ch = { id: 'x', contract: 'kQX', me: 'A', phase: 'funding', depositA: 3_000_000_000n, depositB: 0n, contractVersion: 4, actions: { refund: { ok: true } } };
  const n = { currentChannel: () => ch, channel: () => ch, channels: () => [ch], refund: async () => ch } as unknown as ChannelNodeApi;
  const t = io({ interactive: true, answers: ['n'] });
  await runLine('refund', n, t.it);
  assert.deepEqual(t.asked, ['Are you sure[y/n]:']);
  assert.match(t.said[0]!, /^Refund takes back your deposit/);
});

test('help names --yes for every step that asks "Are you sure" (refund took it, but its usage said only `refund`)', async () => {
  for (const name of ['withdraw', 'leave', 'refund']) {
    const x = io({ json: true });
    await runLine(`help ${name}`, untouchable, x.it);
    const r = x.emitted[0] as { ok: boolean; result: { usage: string } };
    assert.match(r.result.usage, /\[--yes\]|--yes\b/, `${name}: ${r.result.usage}`);
  }
});

test('from a pipe a missing or malformed argument is told before the channel is looked at (send said NO_CHANNEL first)', async () => {
  // the node is not reached: what to type comes first, whatever the channels are
  assert.match(await usage('send'), /amount is missing.*send <amount>/);
  assert.match(await usage('withdraw abc --yes'), /"abc" is not a step number/);
  assert.match(await usage('withdraw -1 --yes'), /"-1" is not a step number/);
  assert.match(await usage('showAll --from x'), /--from takes a step number/);
  assert.match(await usage('showAll --from 3 --to 1'), /--to 1 is before --from 3/);
  // in text mode from a pipe too, and at a terminal a step typed wrong is told before the channel
  const piped = io({});
  await runLine('send', untouchable, piped.it);
  assert.match(piped.said.join('\n'), /send failed: the amount is missing/);
  const terminal = io({ interactive: true });
  await runLine('withdraw 0x1', untouchable, terminal.it);
  assert.match(terminal.said.join('\n'), /withdraw failed: "0x1" is not a step number/);
});

test('a value flag given with = and nothing after it needs a value, as one with no value (it said "no channel  (see channels)")', async () => {
  assert.match(await usage('send 1 --channel='), /--channel needs a value, as in `send <amount> --channel </);
  assert.match(await usage('open 1 1 --period='), /--period needs a value/);
  assert.match(await usage('showAll --from= --to 3'), /--from needs a value/);
});
