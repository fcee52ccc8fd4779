// The node's messages and next steps speak the CLI's words: its commands (`deposit 4`, requestEmpty, showLast) and
// flags (--period, --chain). In VS Code they read as the palette's titles and the settings that do the same.
// Plain words that are also actions (deposit, withdraw, refund) read the same in both and stay. No vscode import:
// the unit tests run it as it is.
import { CATALOGUE, commandSpec } from '../node/catalogue.js';

const title = (name: string): string => `“${commandSpec(name)?.title ?? name}”`;
const setting = (key: string): string => `the synchannel.${key} setting`;

/** Commands written as one camelCase word: never plain English, so every occurrence is the command. */
const CAMEL = CATALOGUE.map((c) => c.name).filter((n) => /[a-z][A-Z]/.test(n));
const CAMEL_RE = new RegExp(`\\b(${CAMEL.join('|')})\\b`, 'g');

type Rewrite = readonly [RegExp, string | ((match: string, ...groups: string[]) => string)];

/** Whole phrases first (a flag's meaning depends on its command), then single flags. */
const PHRASES: readonly Rewrite[] = [
  [/withdraw --unilateral(?=[:;)\s])/g, `${title('withdraw')}, choosing Unilateral close`],
  [/withdraw --cooperative(?=[:;)\s])/g, `${title('withdraw')}, choosing Cooperative close`],
  [/ \(--from\/--to: [^)]*\)/g, ''],
  [/\(showLast, channels\)/g, `(${title('showLast')}, or the SynChannel view)`],
  [/\(--channel <contract, or 4\+ characters of its start or end>; channels lists them\)/g, '(pick it in the SynChannel view)'],
  [/name one with --partner/g, 'pick one of them'],
  [/\(--partner\)/g, '(pick one when asked)'],
  [/([Uu])se --period with a (shorter|longer) window/g, (_m, u, w) => `${u === 'U' ? 'S' : 's'}et a ${w} window in ${setting('challengePeriod')}`],
  // the devnet's own start (Start Devnet takes its port from the synchannel.devnetUrl setting, or a port given)
  [/Pick another with --port \(0 picks a free one\), or use the devnet already running there/g, `Start Devnet on a free port, or use the devnet already running there (${setting('devnetUrl')})`],
  [/Point your node at that one, stop it first, or pass another --data directory/g, `Point your node at that one (${setting('devnetUrl')}), or stop it first (another VS Code window may serve it)`],
  [/another --data folder/g, `another data folder (${setting('dataDir')})`],
  [/another --data directory/g, 'another data folder'],
  [/point --data at/g, `point ${setting('dataDir')} at`],
  [/ \/ --api-key|--api-key or /g, ''],
  [/--requests-per-second \(VS Code: synchannel\.testnetRequestsPerSecond\)/g, setting('testnetRequestsPerSecond')],
  [/the same --chain/g, `the same network (${setting('network')})`],
  [/\(--chain (sandbox|devnet|testnet)\)/g, '(synchannel.network: $1)'],
];

const FLAGS: readonly Rewrite[] = [
  [/--min-period(?: <?s>?)?/g, setting('minChallengePeriod')],
  [/--period(?: <?s>?)?/g, setting('challengePeriod')],
  [/--min-free-mib(?: \d+)?/g, setting('minFreeMiB')],
  [/--requests-per-second/g, setting('testnetRequestsPerSecond')],
  [/--devnet-url/g, setting('devnetUrl')],
  [/--announce/g, setting('announce')],
  [/--api-key/g, '“Set Testnet API Key”'],
  [/--chain/g, setting('network')],
  [/--data/g, setting('dataDir')],
];

const apply = (text: string, [re, to]: Rewrite): string => (typeof to === 'string' ? text.replace(re, to) : text.replace(re, to));

/** `command args` in backticks: the command's title, an amount kept as TON. */
function quoted(all: string, name: string, args: string): string {
  const spec = commandSpec(name);
  if (!spec || spec.name === 'help') return all;
  const amount = /^\s*(\d[\d.]*)\s*$/.exec(args)?.[1];
  return amount ? `${title(spec.name)} with ${amount} TON` : title(spec.name);
}

/** A node message or next step in VS Code's words. */
export function inVsCode(text: string): string {
  let out = text.replace(/`([a-zA-Z]+)((?: [^`]*)?)`/g, quoted);
  for (const r of [...PHRASES, ...FLAGS]) out = apply(out, r);
  return out.replace(CAMEL_RE, (name: string) => title(name));
}

/** CLI words that must not reach a VS Code message (for the tests); a "--" inside an address (base64url) is no flag. */
export const CLI_WORDS = new RegExp(`(?<![\\w-])--[a-z]|\`[a-zA-Z]+[^\`]*\`|\\b(${CAMEL.join('|')})\\b`);

/** Help's list in VS Code: each command by its palette title, what it does in VS Code's words, and its CLI form. */
export function helpItems(): { label: string; description: string; detail: string; value: string }[] {
  return CATALOGUE.filter((x) => x.hosts.includes('vscode')).map((x) => ({ label: x.title, description: `CLI: ${x.usage}`, detail: inVsCode(x.help), value: x.name }));
}
