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
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(e, file, 'read');
  }
  if (bytes) {
    let key: PrivateKey;
    try {
      key = privateKeyFromProtobuf(bytes);
    } catch (e) {
      throw new P2PError(
        'IDENTITY_CORRUPT',
        `the p2p identity ${file} is unreadable (${(e as Error).message}); restore it from a backup, or delete it to create a new identity (your multiaddr will change)`,
        { cause: e },
      );
    }
    try {
      if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    } catch (e) {
      throw new P2PError('IDENTITY_UNREADABLE', `the p2p identity ${file} is readable by others and could not be made private (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): as its owner, chmod 600 it`, { cause: e });
    }
    return key;
  }
  const key = await generateKeyPair('Ed25519');
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, Buffer.from(privateKeyToProtobuf(key)), { mode: 0o600 });
  } catch (e) {
    throw fileError(e, file, 'write');
  }
  return key;
}

/** A read or write of the identity file that failed, in words that say what to do. */
function fileError(e: unknown, file: string, op: 'read' | 'write'): P2PError {
  const code = (e as NodeJS.ErrnoException).code;
  const words =
    code === 'EACCES' || code === 'EPERM'
      ? `no permission to ${op} the p2p identity ${file}: run the node as the user who owns it, or fix its permissions (chmod 600, owned by you)`
      : code === 'EISDIR'
        ? `the p2p identity ${file} is a folder, not a key file: move it aside (a new identity is then created, and your multiaddr changes), or put the key file from a backup there`
        : code === 'ENOTDIR'
          ? `the p2p identity ${file} cannot be ${op === 'read' ? 'read' : 'written'}: a part of its path is a file, not a folder: point --data at a folder`
          : code === 'ENOSPC'
            ? `the p2p identity ${file} cannot be written: the disk is full: free some space and start the node again`
            : `the p2p identity ${file} could not be ${op === 'read' ? 'read' : 'written'} (${(e as Error).message}): check the disk and the folder, then start the node again`;
  return new P2PError('IDENTITY_UNREADABLE', words, { cause: e });
}
