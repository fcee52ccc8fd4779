// A partner for the in-host tests: a `synchannel --json` CLI process (the extension's own dist/cli.js) on the
// devnet this window serves, driven through stdin. Ended with kill9() or exit().
import { join } from 'node:path';
import { JsonLinesProc } from '../../helpers/json-lines.js';

export type { Json } from '../../helpers/json-lines.js';

export class Partner extends JsonLinesProc {
  constructor(extensionPath: string, args: string[]) {
    // The extension host's executable is node (code-server) or Electron (desktop), which runs as node with this.
    super([join(extensionPath, 'dist', 'cli.js'), '--json', ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  }
}
