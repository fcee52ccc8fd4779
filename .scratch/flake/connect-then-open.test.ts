// Repro for the e2e tests that run `connect` on B and then at once a command on A that needs B as a partner
// (test/e2e/crash.test.ts:88-89, operator.test.ts:146-147, secrets.test.ts:64-65: `open` -> NO_PARTNER):
// B's connect returns when B has A's proof; A adopts the session only when B's proof reaches it (one hop later,
// plus its checks). Here A is asked right after B's connect result, as those tests do; `getPartnerAccount`
// answers null where `open` would fail with NO_PARTNER (sessions.pick: no session yet).
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProc } from '../../test/e2e/cli-harness.js';

const ROUNDS = Number(process.env.ROUNDS ?? 10);

test(`B connects, A is asked at once (${ROUNDS} rounds)`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-flake-connect-'));
  let missed = 0;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const a = new CliProc(['--data', join(dir, `a${i}`)]);
      const b = new CliProc(['--data', join(dir, `b${i}`)]);
      try {
        await a.event('ready');
        await b.event('ready');
        const addr = ((await a.run('serve 0 127.0.0.1')).lan as string[])[0]!;
        await b.run(`connect ${addr}`);
        const r = await a.run('getPartnerAccount'); // where crash/operator/secrets run `open`
        if (r.address === null || r.address === undefined) missed++;
      } finally {
        await a.exit();
        await b.exit();
      }
    }
    console.log(`A did not know B yet right after B's connect: ${missed} of ${ROUNDS}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
