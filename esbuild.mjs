// One build script, several bundles:
//   dist/extension.js  what VS Code loads at activation: tree, commands, status bar, webview host (CJS, node20,
//                      `vscode` external). No @ton/*, libp2p, valibot or node code: activation stays fast.
//   dist/node.js       the node (libp2p, @ton/*, the store), required by src/extension/nodeFactory.ts on first use
//                      (`import('#node')` -> `require('./node.js')`)
//   dist/cli.js        the headless node / CLI `synchannel` (CJS, node20)
//   dist/heavy.js      the lazily loaded heavy part: @ton/sandbox's emulator (~15 MB of inlined wasm)
//   dist/webview.js    the balances webview (browser IIFE)
// `import('#heavy')` in source resolves (through package.json "imports") to src/chain/heavy.ts under tsx, and to
// `./heavy.js` here, so the emulator loads on first use, never on activation; `#node` likewise.
// Usage: node esbuild.mjs [--watch] [--production] [--outdir=DIR] [--metafile]
//   --outdir    write the bundles into DIR instead of dist/ (the bundle tests build into a temp dir)
//   --metafile  also write DIR/<bundle>.meta.json, esbuild's record of what each bundle contains
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, chmodSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const metafile = process.argv.includes('--metafile');
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) || 'dist';

/**
 * Host side (node bundle, CLI): `#heavy` becomes a small shim that hands the host's own copy of @ton/core to the
 * heavy bundle, then requires the sibling bundle dist/heavy.js at run time. One copy of @ton/core per process
 * matters: Address and Cell are checked with instanceof, so objects must not cross between two copies.
 */
const heavyExternal = {
  name: 'heavy-external',
  setup(build) {
    build.onResolve({ filter: /^#heavy$/ }, () => ({ path: 'heavy-shim', namespace: 'heavy-shim' }));
    build.onResolve({ filter: /^\.\/heavy\.js$/, namespace: 'heavy-shim' }, () => ({ path: './heavy.js', external: true }));
    build.onLoad({ filter: /.*/, namespace: 'heavy-shim' }, () => ({
      contents: "globalThis.__synchannelTonCore = require('@ton/core');\nmodule.exports = require('./heavy.js');\n",
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

/** Heavy side: @ton/core is the host's copy (see heavyExternal), never a second one. */
const sharedTonCore = {
  name: 'shared-ton-core',
  setup(build) {
    build.onResolve({ filter: /^@ton\/core$/ }, () => ({ path: 'ton-core', namespace: 'shared-ton-core' }));
    build.onLoad({ filter: /.*/, namespace: 'shared-ton-core' }, () => ({
      contents:
        "const core = globalThis.__synchannelTonCore;\n" +
        "if (!core) throw new Error('dist/heavy.js is loaded by dist/node.js or dist/cli.js, never on its own');\n" +
        'module.exports = core;\n',
      loader: 'js',
    }));
  },
};

/**
 * Extension side: `#node` becomes a shim that requires the sibling bundle dist/node.js when nodeFactory first
 * needs it (a plain require, through the extension host's own module loader, not a dynamic import()).
 */
const nodeExternal = {
  name: 'node-external',
  setup(build) {
    build.onResolve({ filter: /^#node$/ }, () => ({ path: 'node-shim', namespace: 'node-shim' }));
    build.onResolve({ filter: /^\.\/node\.js$/, namespace: 'node-shim' }, () => ({ path: './node.js', external: true }));
    build.onLoad({ filter: /.*/, namespace: 'node-shim' }, () => ({ contents: "module.exports = require('./node.js');\n", loader: 'js' }));
  },
};

/**
 * Extension side: what activation must not load. Importing one of these from dist/extension.js's graph fails the
 * build, with the way around it (test/extension/bundle.test.ts checks the result as well).
 */
const activationGuard = {
  name: 'activation-guard',
  setup(build) {
    const forbidden = /^(@ton\/|libp2p$|libp2p\/|@libp2p\/|@chainsafe\/|@multiformats\/|valibot$|#heavy$)/;
    build.onResolve({ filter: forbidden }, (args) => ({
      errors: [
        {
          text:
            `${args.path} would load at activation (imported by ${args.importer}). ` +
            'Reach it through src/extension/nodeFactory.ts: dist/node.js is required on first use.',
        },
      ],
    }));
  },
};

/** Prints one line per finished build, so `watch` shows progress in the terminal and the VS Code task. */
const report = (name) => ({
  name: `report-${name}`,
  setup(build) {
    build.onEnd((result) => {
      const errors = result.errors.length;
      console.log(`[${new Date().toLocaleTimeString()}] ${name}: ${errors ? `${errors} error(s)` : 'ok'}`);
    });
  },
});

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  keepNames: true,
  logLevel: 'warning',
  // Some ESM dependencies read import.meta.url; give them the CJS equivalent.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const entries = [
  {
    name: 'extension',
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    ...node,
    external: ['vscode'],
    plugins: [nodeExternal, activationGuard],
  },
  { name: 'node', entryPoints: ['src/extension/nodeBundle.ts'], outfile: 'dist/node.js', ...node, plugins: [heavyExternal] },
  {
    name: 'cli',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    ...node,
    banner: { js: `#!/usr/bin/env node\n${node.banner.js}` },
    plugins: [heavyExternal],
  },
  { name: 'heavy', entryPoints: ['src/chain/heavy.ts'], outfile: 'dist/heavy.js', ...node, plugins: [sharedTonCore] },
  {
    name: 'webview',
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
  },
];

/** With --metafile: writes <outdir>/<name>.meta.json after each build. */
const writeMeta = (name) => ({
  name: `meta-${name}`,
  setup(build) {
    build.onEnd((result) => {
      if (result.metafile) writeFileSync(join(outdir, `${name}.meta.json`), JSON.stringify(result.metafile));
    });
  },
});

mkdirSync(outdir, { recursive: true });
const contexts = [];
for (const { name, ...options } of entries) {
  if (!existsSync(options.entryPoints[0])) {
    console.log(`skip ${name}: ${options.entryPoints[0]} does not exist yet`);
    continue;
  }
  const ctx = await esbuild.context({
    ...options,
    outfile: join(outdir, basename(options.outfile)),
    metafile,
    plugins: [...(options.plugins ?? []), report(name), ...(metafile ? [writeMeta(name)] : [])],
  });
  contexts.push(ctx);
}
if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.watch()));
  console.log('watching for changes...');
} else {
  try {
    const results = await Promise.all(contexts.map((ctx) => ctx.rebuild()));
    if (results.some((r) => r.errors.length)) process.exitCode = 1;
  } catch {
    process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  }
  if (existsSync(join(outdir, 'cli.js'))) chmodSync(join(outdir, 'cli.js'), 0o755);
}
