// libp2p and its modules are ESM-only and some (protons-runtime) export no `require` condition, so a static
// import breaks whenever this file is loaded as CommonJS (tsx in this package, which has no "type": "module").
// A dynamic import() stays a real ESM import under tsx and is inlined by esbuild in the CJS bundles,
// so every runtime use of libp2p goes through loadDeps(). Type-only imports are erased and stay static.
import type { createLibp2p } from 'libp2p';
import type { tcp } from '@libp2p/tcp';
import type { noise } from '@chainsafe/libp2p-noise';
import type { yamux } from '@chainsafe/libp2p-yamux';
import type { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';

export interface Libp2pDeps {
  createLibp2p: typeof createLibp2p;
  tcp: typeof tcp;
  noise: typeof noise;
  yamux: typeof yamux;
  generateKeyPair: typeof generateKeyPair;
  privateKeyFromProtobuf: typeof privateKeyFromProtobuf;
  privateKeyToProtobuf: typeof privateKeyToProtobuf;
}

let loading: Promise<Libp2pDeps> | undefined;

export function loadDeps(): Promise<Libp2pDeps> {
  loading ??= (async () => {
    const [l, t, n, y, k] = await Promise.all([
      import('libp2p'),
      import('@libp2p/tcp'),
      import('@chainsafe/libp2p-noise'),
      import('@chainsafe/libp2p-yamux'),
      import('@libp2p/crypto/keys'),
    ]);
    return {
      createLibp2p: l.createLibp2p,
      tcp: t.tcp,
      noise: n.noise,
      yamux: y.yamux,
      generateKeyPair: k.generateKeyPair,
      privateKeyFromProtobuf: k.privateKeyFromProtobuf,
      privateKeyToProtobuf: k.privateKeyToProtobuf,
    };
  })();
  return loading;
}
