// The ChannelNode's public surface: what the CLI, the tests and the VS Code extension see.
// Views are plain data (bigint amounts, string addresses) so UIs can render them without touching the core.

export type Party = 'A' | 'B';
export type NetworkKind = 'sandbox' | 'devnet' | 'testnet';

/** Where a channel is in its life, as the node sees it (off-chain + on-chain). */
export type ChannelPhaseView =
  | 'proposed' // A proposed the channel; B has not accepted yet
  | 'deploying' // accepted; A is deploying the contract
  | 'funding' // contract deployed, waiting for deposits
  | 'locked' // both deposits in; waiting for the initial state (step 0) to be signed by both
  | 'open' // step 0 signed by both: payments flow
  | 'closing' // a close was started on-chain; challenge window running
  | 'closed'; // paid out

export interface StateView {
  step: bigint;
  /** who created (and signed first) this state */
  sender: Party;
  tag: 'state' | 'close';
  balanceA: bigint;
  balanceB: bigint;
  /** hex, upper case; null when not signed (yet) by that party */
  sigA: string | null;
  sigB: string | null;
  /** true when both signed */
  committed: boolean;
  /** true for a state both signed that changed no balance (passed the turn) */
  empty: boolean;
}

export interface ChannelView {
  /** stable id: the contract address when known, else the proposal's channel id */
  id: string;
  channelId: string;
  /** contract address (friendly, bounceable=false, testOnly per network) or null before deploy */
  contract: string | null;
  network: NetworkKind;
  me: Party;
  myAddress: string;
  partnerAddress: string;
  partnerOnline: boolean;
  phase: ChannelPhaseView;
  challengePeriod: number;
  expectedDepositA: bigint;
  expectedDepositB: bigint;
  depositA: bigint;
  depositB: bigint;
  /** latest state both signed (null before step 0 is signed) */
  latest: StateView | null;
  /** a state awaiting a signature: mine (from the partner) or the partner's (my proposal) */
  pending: (StateView & { awaiting: 'me' | 'partner' }) | null;
  /** every state both signed, oldest first */
  states: StateView[];
  myTurn: boolean;
  turnRequestedByPartner: boolean;
  /** closing only */
  deadline: number | null;
  closeStep: bigint | null;
  payoutA: bigint | null;
  payoutB: bigint | null;
}

export interface ServeResult {
  lan: string[];
  wan: string[];
}

export interface PartnerView {
  address: string;
  /** the partner's proof of address ownership, hex upper case (printed as "Partner signature") */
  signature: string;
  peerId: string;
  online: boolean;
}

/** Typed events for UIs (DESIGN §1: the extension is a thin view over these). */
export type NodeEvent =
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'served'; lan: string[]; wan: string[] }
  | { type: 'partnerConnected'; partner: PartnerView }
  | { type: 'partnerDisconnected'; partner: PartnerView }
  | { type: 'channelProposed'; channel: ChannelView }
  | { type: 'channelUpdated'; channel: ChannelView }
  | { type: 'depositSeen'; channel: ChannelView; party: Party; amount: bigint }
  | { type: 'channelLocked'; channel: ChannelView }
  /** a state from the partner awaits my signature ("Received new state" / "Received initial state" at step 0) */
  | { type: 'stateReceived'; channel: ChannelView; state: StateView }
  /** a state became signed by both ("Last state signed successful") */
  | { type: 'stateSigned'; channel: ChannelView; state: StateView }
  /** the partner asked for the turn ("Your partner request empty state") */
  | { type: 'turnRequested'; channel: ChannelView }
  /** a close was started on-chain; byPartner: "Your partner sent the state to the smart contract" */
  | { type: 'closeStarted'; channel: ChannelView; step: bigint; byPartner: boolean; deadline: number }
  | { type: 'challenged'; channel: ChannelView; step: bigint; byMe: boolean }
  | { type: 'closed'; channel: ChannelView; payoutA: bigint; payoutB: bigint }
  | { type: 'error'; code: string; message: string; channel?: ChannelView };

/** Progress of an on-chain wait, for UIs (VS Code withProgress, CLI spinner lines). */
export interface ProgressOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface OpenChannelOptions extends ProgressOptions {
  /** nanotons I deposit */
  myDeposit: bigint;
  /** nanotons the partner deposits (may be 0: a receive-only partner) */
  partnerDeposit: bigint;
  /** seconds; default 600 (sandbox demo: shorter) */
  challengePeriod?: number;
  /** the partner's address, when several partners are connected */
  partner?: string;
}

export interface WithdrawOptions extends ProgressOptions {
  /** a step both signed; default the latest */
  step?: bigint;
  /** cooperative (default when the partner is online) or unilateral (start close + finish after the window) */
  mode?: 'auto' | 'cooperative' | 'unilateral';
  /** must be true to submit a step older than the latest (the partner can challenge it) */
  confirmStale?: boolean;
}

export interface WithdrawResult {
  mode: 'cooperative' | 'unilateral';
  step: bigint;
  /** unilateral: when the close can be finished (unix seconds) */
  deadline: number | null;
  payoutA: bigint | null;
  payoutB: bigint | null;
}

/** The commands every host offers (the original command set, plus what the new lifecycle needs). */
export interface ChannelNodeApi {
  readonly network: NetworkKind;
  on(listener: (event: NodeEvent) => void): () => void;

  serve(port: number, host?: string): Promise<ServeResult>;
  connect(multiaddr: string, opts?: { timeoutMs?: number }): Promise<PartnerView>;
  partners(): PartnerView[];

  /** A: propose a channel to the connected partner (and deploy once accepted) */
  open(opts: OpenChannelOptions): Promise<ChannelView>;
  /** B: accept the partner's proposal and deposit; A: top up to the expected deposit while funding */
  deposit(amount?: bigint, opts?: ProgressOptions & { channel?: string }): Promise<ChannelView>;
  /** before the channel locks: take my deposit back */
  refund(opts?: ProgressOptions & { channel?: string }): Promise<ChannelView>;
  send(amount: bigint, opts?: { channel?: string }): Promise<StateView>;
  sign(opts?: { channel?: string }): Promise<StateView>;
  createEmpty(opts?: { channel?: string }): Promise<StateView>;
  requestEmpty(opts?: { channel?: string }): Promise<void>;
  withdraw(opts?: WithdrawOptions & { channel?: string }): Promise<WithdrawResult>;

  channels(): ChannelView[];
  /** the channel commands act on by default (the only or most recent one) */
  currentChannel(): ChannelView | null;
  balanceChan(channel?: string): { balanceA: bigint; balanceB: bigint; step: bigint } | null;
  balanceContract(channel?: string): Promise<bigint>;
  balanceTon(): Promise<bigint>;
  getAccount(): string;
  getPartnerAccount(channel?: string): string | null;
  getSmartContractAccount(channel?: string): string | null;
  getSeqno(): Promise<number>;
  /** devnet/sandbox: fund my wallet from the chain's faucet; returns the new balance */
  faucet(amount: bigint): Promise<bigint>;
  showAll(channel?: string): StateView[];
  showLast(channel?: string): StateView | null;

  stop(): Promise<void>;
}
