// The node's libp2p identity, persisted in its data dir (mode 0600) so its multiaddr survives restarts.
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrivateKey } from '@libp2p/interface';
import writeFileAtomic from 'write-file-atomic';
import { P2PError } from './errors.js';
import { loadDeps } from './deps.js';

export const IDENTITY_FILE = 'p2p-identity.key';

/** Loads the Ed25519 libp2p key from `dataDir`, creating (and persisting) one on first use. */
export async function loadOrCreateIdentity(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, IDENTITY_FILE);
  const { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } = await loadDeps();
  let bytes: Buffer | undefined;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (bytes) {
    try {
      const key = privateKeyFromProtobuf(bytes);
      if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
      return key;
    } catch (e) {
      throw new P2PError(
        'IDENTITY_CORRUPT',
        `the p2p identity ${file} is unreadable (${(e as Error).message}); restore it from a backup, or delete it to create a new identity (your multiaddr will change)`,
        { cause: e },
      );
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = await generateKeyPair('Ed25519');
  await writeFileAtomic(file, Buffer.from(privateKeyToProtobuf(key)), { mode: 0o600 });
  return key;
}
