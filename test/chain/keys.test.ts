import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto';
import { WalletContractV3R2, WalletContractV4, WalletContractV5R1 } from '@ton/ton';
import fc from 'fast-check';
import {
  keyPairFromMnemonic, newMnemonic, newKey, readKeyFolder, writeKeyFolder, encodeWalletAddr, decodeWalletAddr,
  deriveWalletAddresses, walletOwnsAddress, walletAddress, WALLET_VERSIONS,
} from '../../src/chain/keys.js';
import { KeyError } from '../../src/chain/errors.js';
import { keyPairFromSeed } from '../../src/core/signer.js';
import { explorerLink, txLink, addressLink } from '../../src/chain/explorer.js';
import { syncedPaths } from '../helpers/syncs.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'synchannel-keys-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function isKeyError(code: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof KeyError, `expected KeyError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (re) assert.match(e.message, re);
    return true;
  };
}

describe('mnemonic', () => {
  test('imports a 24-word mnemonic to the same key as @ton/crypto, from a string or words', async () => {
    const words = await mnemonicNew(24);
    const theirs = await mnemonicToPrivateKey(words);
    const ours = await keyPairFromMnemonic(words);
    assert.deepEqual(ours.publicKey, theirs.publicKey);
    assert.deepEqual(ours.secretKey, theirs.secretKey);
    const fromString = await keyPairFromMnemonic(`  ${words.join('  ').toUpperCase()}\n`);
    assert.deepEqual(fromString.publicKey, theirs.publicKey);
  });

  test('rejects a wrong word count and a bad checksum with BAD_MNEMONIC', async () => {
    const words = await mnemonicNew(24);
    await assert.rejects(keyPairFromMnemonic(words.slice(0, 12)), isKeyError('BAD_MNEMONIC', /24 words, got 12/));
    const swapped = [...words];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    const bad = swapped[0] === words[0] ? [...words.slice(0, 23), words[23] === 'abandon' ? 'ability' : 'abandon'] : swapped;
    await assert.rejects(keyPairFromMnemonic(bad), isKeyError('BAD_MNEMONIC', /not a valid TON mnemonic/));
    await assert.rejects(keyPairFromMnemonic([...words.slice(0, 23), 'notaword']), isKeyError('BAD_MNEMONIC'));
  });

  test('newMnemonic gives 24 words whose key re-imports identically; newKey gives distinct keys', async () => {
    const { words, keyPair } = await newMnemonic();
    assert.equal(words.length, 24);
    assert.deepEqual((await keyPairFromMnemonic(words)).publicKey, keyPair.publicKey);
    assert.notDeepEqual(newKey().publicKey, newKey().publicKey);
  });
});

describe('wallet addresses', () => {
  const kp = keyPairFromSeed(Buffer.alloc(32, 7));

  test('match the @ton/ton wallet classes for every version', () => {
    const expected: Record<string, Address> = {
      v3r2: WalletContractV3R2.create({ workchain: 0, publicKey: kp.publicKey }).address,
      v4r2: WalletContractV4.create({ workchain: 0, publicKey: kp.publicKey }).address,
      v5r1: WalletContractV5R1.create({ publicKey: kp.publicKey, walletId: { networkGlobalId: -3 } }).address,
      'v5r1-mainnet': WalletContractV5R1.create({ publicKey: kp.publicKey }).address,
    };
    const derived = deriveWalletAddresses(kp.publicKey);
    assert.deepEqual(derived.map((d) => d.version), [...WALLET_VERSIONS]);
    for (const d of derived) assert.ok(d.address.equals(expected[d.version]!), d.version);
    assert.equal(new Set(derived.map((d) => d.address.toRawString())).size, derived.length);
  });

  test('walletOwnsAddress finds the version, on either workchain, and rejects other keys', () => {
    for (const v of WALLET_VERSIONS) {
      assert.equal(walletOwnsAddress(kp.publicKey, walletAddress(v, kp.publicKey)), v);
      assert.equal(walletOwnsAddress(kp.publicKey, walletAddress(v, kp.publicKey, -1)), v);
    }
    const other = keyPairFromSeed(Buffer.alloc(32, 8));
    assert.equal(walletOwnsAddress(other.publicKey, walletAddress('v4r2', kp.publicKey)), null);
    assert.equal(walletOwnsAddress(Buffer.alloc(31), walletAddress('v4r2', kp.publicKey)), null);
  });

  test("walletOwnsAddress (built from each version's code parsed once) agrees with the @ton/ton wallets for any key", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(...WALLET_VERSIONS), fc.constantFrom(0, -1), (bytes, v, wc) => {
        const key = Buffer.from(bytes);
        assert.equal(walletOwnsAddress(key, walletAddress(v, key, wc)), v);
        const flipped = Buffer.from(key);
        flipped[0]! ^= 1;
        assert.equal(walletOwnsAddress(flipped, walletAddress(v, key, wc)), null);
      }),
      { numRuns: 200 },
    );
  });

  test('wallet.addr encoding round-trips, including workchain -1 as big-endian', () => {
    const a = walletAddress('v4r2', kp.publicKey, -1);
    const bytes = encodeWalletAddr(a);
    assert.equal(bytes.length, 36);
    assert.deepEqual(bytes.subarray(32), Buffer.from([0xff, 0xff, 0xff, 0xff]));
    assert.ok(decodeWalletAddr(bytes).equals(a));
    assert.throws(() => decodeWalletAddr(bytes.subarray(0, 35)), isKeyError('KEY_FILE_BAD', /36 bytes/));
    const wc7 = Buffer.from(bytes);
    wc7.writeInt32BE(7, 32);
    assert.throws(() => decodeWalletAddr(wc7), isKeyError('KEY_FILE_BAD', /workchain 7/));
  });
});

describe('key folder', () => {
  test('write then read: modes 0700/0600, same key and address, version found', async () => {
    const dir = join(await tempDir(), 'keys');
    const kp = newKey();
    const written = await writeKeyFolder(dir, kp, { version: 'v4r2' });
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, 'wallet.pk'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'wallet.addr'))).mode & 0o777, 0o600);
    assert.deepEqual(await readFile(join(dir, 'wallet.pk')), kp.secretKey.subarray(0, 32));
    const read = await readKeyFolder(dir);
    assert.equal(read.version, 'v4r2');
    assert.ok(read.address.equals(written.address));
    assert.deepEqual(read.keyPair.secretKey, kp.secretKey);
    assert.deepEqual(read.warnings, []);
    await assert.rejects(writeKeyFolder(dir, newKey()), isKeyError('KEY_FOLDER_EXISTS'));
    await writeKeyFolder(dir, newKey(), { overwrite: true });
  });

  test('a new key folder is durable: the folder (and the one that holds it, when made) is synced after the files', async (t) => {
    const parent = join(await tempDir(), 'data');
    const dir = join(parent, 'keys');
    const synced = await syncedPaths(() => writeKeyFolder(dir, newKey()));
    if (!synced) return t.skip('no /proc here to see what is synced');
    // a power loss before the folder's entries are on disk could lose a key whose address was already shown
    assert.ok(synced.includes(dir), `synced: ${synced.join(', ')}`);
    assert.ok(synced.includes(parent), `synced: ${synced.join(', ')}`);
  });

  test('original-format fixtures: each version (and V5R1 with both network ids) is recognised', async () => {
    for (const version of WALLET_VERSIONS) {
      for (const workchain of [0, -1]) {
        const dir = await tempDir();
        const seed = Buffer.alloc(32, WALLET_VERSIONS.indexOf(version) + 10);
        const kp = keyPairFromSeed(seed);
        // Written by hand, as the original tool did: raw seed and hash + big-endian workchain.
        let expected: Address;
        if (version === 'v3r2') expected = WalletContractV3R2.create({ workchain, publicKey: kp.publicKey }).address;
        else if (version === 'v4r2') expected = WalletContractV4.create({ workchain, publicKey: kp.publicKey }).address;
        else expected = WalletContractV5R1.create({ publicKey: kp.publicKey, walletId: { networkGlobalId: version === 'v5r1' ? -3 : -239, context: { walletVersion: 'v5r1', workchain, subwalletNumber: 0 } } }).address;
        const wc = Buffer.alloc(4);
        wc.writeInt32BE(workchain);
        await writeFile(join(dir, 'wallet.pk'), seed, { mode: 0o600 });
        await writeFile(join(dir, 'wallet.addr'), Buffer.concat([expected.hash, wc]), { mode: 0o600 });
        const read = await readKeyFolder(dir);
        assert.equal(read.version, version, `${version} wc ${workchain}`);
        assert.ok(read.address.equals(expected));
      }
    }
  });

  test('a mismatching address fails listing every version tried', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'wallet.pk'), Buffer.alloc(32, 1), { mode: 0o600 });
    const otherAddr = walletAddress('v4r2', keyPairFromSeed(Buffer.alloc(32, 2)).publicKey);
    await writeFile(join(dir, 'wallet.addr'), encodeWalletAddr(otherAddr), { mode: 0o600 });
    await assert.rejects(readKeyFolder(dir), (e: unknown) => {
      isKeyError('KEY_ADDRESS_MISMATCH')(e);
      const msg = (e as Error).message;
      for (const v of WALLET_VERSIONS) assert.match(msg, new RegExp(`${v}: `));
      assert.match(msg, /same wallet/);
      return true;
    });
  });

  test('missing folder, missing file, wrong sizes and loose permissions', async () => {
    const base = await tempDir();
    await assert.rejects(readKeyFolder(join(base, 'nope')), isKeyError('KEY_FOLDER_MISSING', /does not exist/));
    const dir = join(base, 'k');
    await mkdir(dir);
    await writeFile(join(dir, 'wallet.pk'), Buffer.alloc(32, 3));
    await assert.rejects(readKeyFolder(dir), isKeyError('KEY_FOLDER_MISSING', /wallet\.addr/));
    const kp = keyPairFromSeed(Buffer.alloc(32, 3));
    await writeFile(join(dir, 'wallet.addr'), encodeWalletAddr(walletAddress('v3r2', kp.publicKey)));
    await chmod(join(dir, 'wallet.pk'), 0o644);
    const read = await readKeyFolder(dir);
    assert.equal(read.version, 'v3r2');
    assert.match(read.warnings.join('\n'), /chmod 600/);
    await writeFile(join(dir, 'wallet.pk'), Buffer.from('00'.repeat(32)));
    await assert.rejects(readKeyFolder(dir), isKeyError('KEY_FILE_BAD', /32-byte private key, got 64/));
    // cut short (a copy onto a full disk): said so, with the backup to copy from, not "convert it from hex"
    for (const size of [0, 20]) {
      await writeFile(join(dir, 'wallet.pk'), Buffer.alloc(size, 3));
      await assert.rejects(readKeyFolder(dir), (e: Error) => isKeyError('KEY_FILE_BAD', /cut short|empty/)(e) && /backup/.test(e.message) && !/hex/.test(e.message));
    }
    await writeFile(join(dir, 'wallet.pk'), Buffer.alloc(32, 3));
    await writeFile(join(dir, 'wallet.addr'), Buffer.alloc(10));
    await assert.rejects(readKeyFolder(dir), isKeyError('KEY_FILE_BAD', /36 bytes/));
  });
});

describe('explorer links', () => {
  test('addresses and transaction hashes', () => {
    const a = walletAddress('v5r1', keyPairFromSeed(Buffer.alloc(32, 5)).publicKey);
    const link = addressLink(a);
    assert.match(link, /^https:\/\/testnet\.tonviewer\.com\/kQ/);
    assert.ok(Address.parse(link.split('/').pop()!).equals(a));
    assert.equal(explorerLink(a.toRawString()), link);
    const hash = Buffer.alloc(32, 0xab);
    assert.equal(txLink(hash), `https://testnet.tonviewer.com/transaction/${'ab'.repeat(32)}`);
    assert.equal(explorerLink({ tx: hash.toString('base64') }), txLink(hash));
    assert.equal(explorerLink({ tx: hash.toString('base64url') }), txLink(hash));
    assert.equal(explorerLink('not a thing'), null);
    assert.match(addressLink(a, 'mainnet'), /^https:\/\/tonviewer\.com\/EQ/);
  });
});
