// What the node keeps of a channel besides its states: the agreed parameters and the on-chain facts, in the
// channel's record (persistence.ts). Addresses are raw strings; amounts bigint.
import { Address } from '@ton/core';
import type { LifePhase } from '../core/lifecycle.js';
import type { Party } from '../core/signed.js';
import { addressText, type NetworkKind } from '../core/format.js';
import { CONTRACT_VERSIONS, ChannelContract, channelCode, isContractVersion, type ChannelConfig, type ChannelData, type ContractVersion } from '../contract/index.js';
import { SynError } from '../core/errors.js';
import { SYNCHANNEL_VERSION } from '../core/version.js';
import type { PayoutView } from './types.js';
import { clearDeployMark } from './mayland.js';

export const RECORD_VERSION = 2;

/** What the parties agreed in the proposal (and what the record of either format keeps of it). */
interface Terms {
  channelId: bigint;
  me: Party;
  network: NetworkKind;
  addressA: string;
  addressB: string;
  publicKeyA: Buffer;
  publicKeyB: Buffer;
  challengePeriod: number;
  expectedDepositA: bigint;
  expectedDepositB: bigint;
  depositA: bigint;
  depositB: bigint;
}

export interface ChannelRecord extends Terms {
  v: typeof RECORD_VERSION;
  /** raw address; computed from the proposal (both sides can) */
  contract: string;
  life: LifePhase;
  close: { step: bigint | null; submitter: Party; deadline: number } | null;
  payout: PayoutView | null;
  /** restored from a backup and not yet checked against the partner */
  restorePending: boolean;
  /**
   * Imported from a backup: the partner may hold states signed after the backup and lost with this node's data,
   * which no answer of theirs can rule out. A new state here could be worth nothing (they could close with one of
   * those), so the node signs none: only a close. Absent in the records of channels never restored.
   */
  restored?: true;
  /** a SynChannel 0.1 channel (contract v1): kept and listed, not operated */
  legacy: boolean;
  /** the channel contract's version; absent in the records written before v3: 2 (see versionOf) */
  contractVersion?: ContractVersion;
  /** unix ms when the channel locked (the initial-state timeout counts from it) */
  lockedAt: number | null;
  /** A: unix ms when its last deployment was sent (it may land until its wallet message expires); absent before */
  deploySentAt?: number;
  /** A: that deployment's wallet message expiry (chain unix s), once signed (mayland.ts); absent before */
  deployValidUntil?: number;
  /**
   * A: the mark was taken before the wallet signed (this version saves the expiry before the message leaves): while
   * it stays, nothing was sent. Absent in earlier records, whose marks without an expiry are judged by the clock.
   */
  deployUnsigned?: true;
  /** A: the partner accepted and the deployment has not started (nothing sent): a restart starts it. */
  deployDue?: boolean;
  /**
   * A deposit of this node that may still land: when it was marked (just before it left) and the deposit the
   * chain shows once it has (with any marked before it). Cleared once the chain shows that much.
   */
  depositPending?: { sentAt: number; total: bigint; validUntil?: number };
  /**
   * Our refund, once signed (its wallet message's expiry): not sent again while it may land, since the contract
   * refuses a second once the first lands (a wallet fee). Cleared once the chain shows no deposit of ours.
   */
  refundSent?: { validUntil: number };
  /**
   * The partner declined (channel.reject) a channel that could not end here: a deployment of ours might land, or
   * the contract exists. Nothing more of ours goes in (a deposit would lock it with nobody to sign its states).
   */
  partnerDeclined?: boolean;
  /**
   * Our decline (channel.reject, with its reason) the partner's session has not acknowledged: the outbox is in
   * memory, so a restart sends it again once the partner is connected (decline.ts sendReject). The node dials
   * them for it for REJECT_OWED_MS after `since` (ms; unsaid in records from before it: the first run that reads
   * it sets it), then no more (`dialGivenUp`).
   */
  rejectOwed?: { reason: string; since?: number; dialGivenUp?: true };
  /** This node's decline (channel.reject) ended the channel: a partner's resync of it hears the decline again. */
  rejectedHere?: true;
  /**
   * Our own close (step; null: an exit) that went to the contract and was not yet seen there: a challenge may land
   * before our first read of it, after a restart too (it is then told as a challenge of our close). With its
   * wallet message's expiry once signed: until it can no longer land, no close of ours is sent again (closing.ts).
   */
  closeSent?: { step: bigint | null; validUntil?: number };
  /**
   * The step of our last challenge, saved before it left: after a restart, a challenge with it is told as ours.
   * With its wallet message's expiry once signed: until it can no longer land, it is not sent again (inflight.ts).
   */
  challengeSent?: { step: bigint; validUntil?: number };
  /** Our cooperative close, once signed (its wallet message's expiry): not sent again while it may land (inflight.ts). */
  coopSent?: { step: bigint; validUntil: number };
  /** Our finish of the close, once signed (its wallet message's expiry): not sent again while it may land (finisher.ts). */
  finishSent?: { validUntil: number };
  /** The step the close started with (null: an exit), once a challenge raised it: a restart tells both. */
  closeFirst?: { step: bigint | null; deadline: number };
  /**
   * The payout a stand-in told (standin.ts) while this channel could not load, added to the record it loads later:
   * not told again (after a restart too). Dropped once the record holds the payout.
   */
  payoutTold?: PayoutView;
  /**
   * The deposits last told, saved with newer ones not told yet (`refund`: a lower one is a refund seen, not a
   * lagging read): cleared once told, so a crash between the save and the telling leaves it to the next load.
   */
  depositsUntold?: { A: bigint; B: bigint; refund?: true };
  /** the newest last transaction (lt) of the contract a read showed: a funding read older than it is behind (seenlt.ts) */
  seenLt?: bigint;
}

/** Keeps the close on chain; a challenge of the close kept (same deadline, another step) keeps the step it started with. */
export function keepClose(rec: ChannelRecord, close: NonNullable<ChannelRecord['close']>): void {
  const was = rec.close;
  if (was && was.deadline === close.deadline && was.step !== close.step && rec.closeFirst?.deadline !== close.deadline) rec.closeFirst = { step: was.step, deadline: was.deadline };
  rec.close = close;
}

/** The step the close of `deadline` started with when a challenge raised it since (undefined: not challenged). */
export function firstStepOf(rec: ChannelRecord, deadline: number): bigint | null | undefined {
  return rec.closeFirst?.deadline === deadline ? rec.closeFirst.step : undefined;
}

export function configOf(rec: Pick<ChannelRecord, 'publicKeyA' | 'publicKeyB' | 'addressA' | 'addressB' | 'channelId' | 'challengePeriod' | 'expectedDepositA' | 'expectedDepositB'>): ChannelConfig {
  return {
    publicKeyA: rec.publicKeyA,
    publicKeyB: rec.publicKeyB,
    addressA: Address.parse(rec.addressA),
    addressB: Address.parse(rec.addressB),
    channelId: rec.channelId,
    challengePeriod: rec.challengePeriod,
    expectedDepositA: rec.expectedDepositA,
    expectedDepositB: rec.expectedDepositB,
  };
}

/** The contract address of a config (raw form) with contract `version`. */
export function contractOf(config: ChannelConfig, version: ContractVersion): string {
  return ChannelContract.createFromConfig(config, channelCode(version)).address.toRawString();
}

/** The contract version a record's channel runs (records written before v3 have none: v2). */
export function versionOf(rec: Pick<ChannelRecord, 'contractVersion'>): ContractVersion {
  return rec.contractVersion ?? 2;
}

/** The version of the contract whose terms `d` are and whose address is `address` (raw), or null: neither. */
export function versionAt(d: ChannelConfig, address: string): ContractVersion | null {
  for (const version of CONTRACT_VERSIONS) if (contractOf(d, version) === address) return version;
  return null;
}

/**
 * Keeps the deposits a read of the chain shows, and clears the marks of what this node sent that they prove landed
 * (a deposit once the total it expected shows; A's deployment once A has a deposit).
 */
export function depositsSeen(rec: ChannelRecord, depositA: bigint, depositB: bigint): void {
  const mine = rec.me === 'A' ? depositA : depositB;
  if (rec.depositPending && mine >= rec.depositPending.total) delete rec.depositPending;
  if (rec.refundSent && mine === 0n) delete rec.refundSent;
  if (rec.me === 'A' && depositA > 0n) {
    clearDeployMark(rec);
    delete rec.deployDue;
  }
  rec.depositA = depositA;
  rec.depositB = depositB;
}

export function partnerAddressOf(rec: Pick<ChannelRecord, 'me' | 'addressA' | 'addressB'>): string {
  return rec.me === 'A' ? rec.addressB : rec.addressA;
}

/**
 * A record rebuilt from a live contract's data (it holds the agreed terms) when the file is lost: the phase, the
 * deposits and the close as the chain shows them; what only the file kept (lockedAt, a payout read) starts empty.
 */
export function recordFromContract(d: ChannelData, me: Party, network: NetworkKind, version: ContractVersion): ChannelRecord {
  const s = d.exit ? null : d.storedState;
  const closing = d.phase === 'closing' && d.submitter !== null && d.deadline !== null;
  return {
    v: RECORD_VERSION,
    channelId: d.channelId,
    me,
    network,
    contract: contractOf(d, version),
    contractVersion: version,
    addressA: d.addressA.toRawString(),
    addressB: d.addressB.toRawString(),
    publicKeyA: Buffer.from(d.publicKeyA),
    publicKeyB: Buffer.from(d.publicKeyB),
    challengePeriod: d.challengePeriod,
    expectedDepositA: d.expectedDepositA,
    expectedDepositB: d.expectedDepositB,
    life: d.phase === 'open' ? 'open' : d.phase === 'closing' ? 'closing' : d.phase === 'funding' ? 'funding' : 'closed',
    depositA: d.depositA,
    depositB: d.depositB,
    close: closing ? { step: s ? s.step : null, submitter: d.submitter!, deadline: d.deadline! } : null,
    payout: null,
    restorePending: false,
    legacy: false,
    lockedAt: null,
  };
}

/** The first record format (SynChannel 0.1): `phase` and a contract that was null until the deployment. */
interface RecordV1 extends Terms {
  contract: string | null;
  phase: 'proposed' | 'deploying' | 'funding' | 'locked' | 'open' | 'closing' | 'closed';
  deadline: number | null;
  closeStep: bigint | null;
  payoutA: bigint | null;
  payoutB: bigint | null;
}

/**
 * Reads a record of either format. A 0.1 channel with a contract runs contract v1: it is kept as legacy (listed,
 * not operated: close it with SynChannel 0.1); a 0.1 proposal without a contract is dropped as declined. A record
 * of a newer SynChannel (a later format, or a contract version this code does not run) is refused, untouched: read
 * as an older one, it would be operated wrongly and written back in a format that loses what it added.
 */
export function upgradeRecord(raw: ChannelRecord | RecordV1): ChannelRecord {
  const { v, contractVersion } = raw as { v?: unknown; contractVersion?: unknown };
  const newer = (what: string) =>
    new SynError('NEWER_VERSION', `its record was written by a newer SynChannel (${what}): this node leaves its files as they are, and does not watch it. Run that SynChannel (or a later one) with this data folder`, { details: { advised: true } });
  if (v !== undefined) {
    if (v !== RECORD_VERSION) throw newer(`record format ${String(v)}; this is SynChannel ${SYNCHANNEL_VERSION}, which reads format ${RECORD_VERSION}`);
    if (contractVersion !== undefined && !isContractVersion(contractVersion)) throw newer(`contract v${String(contractVersion)}; this is SynChannel ${SYNCHANNEL_VERSION}, which runs v${CONTRACT_VERSIONS.join(', v')}`);
    return raw as ChannelRecord;
  }
  const old = raw as RecordV1; // the 0.1 format has no `v`
  const life: LifePhase = !old.contract ? 'rejected' : old.phase === 'deploying' ? 'funding' : old.phase;
  return {
    v: RECORD_VERSION,
    channelId: old.channelId,
    me: old.me,
    network: old.network,
    contract: old.contract ?? contractOf(configOf(old), 2),
    addressA: old.addressA,
    addressB: old.addressB,
    publicKeyA: old.publicKeyA,
    publicKeyB: old.publicKeyB,
    challengePeriod: old.challengePeriod,
    expectedDepositA: old.expectedDepositA,
    expectedDepositB: old.expectedDepositB,
    life,
    depositA: old.depositA,
    depositB: old.depositB,
    close: old.deadline !== null && old.phase === 'closing' ? { step: old.closeStep, submitter: old.me, deadline: old.deadline } : null,
    payout: null,
    restorePending: false,
    legacy: !!old.contract,
    lockedAt: null,
  };
}

/**
 * Why a record read from a backup is not this node's (another key), or null when it is. A channel of this key on
 * another network or wallet is: a data folder holds those too (the node lists them and says how to run them).
 */
export function foreignRecord(raw: unknown, me: { myAddress: Address; o: { key: { publicKey: Buffer } } }): string | null {
  const r = raw as Partial<Terms> | null;
  if (!r || (r.me !== 'A' && r.me !== 'B')) return 'its record names no party';
  const address = r.me === 'A' ? r.addressA : r.addressB;
  const key = r.me === 'A' ? r.publicKeyA : r.publicKeyB;
  if (Buffer.isBuffer(key) && key.equals(me.o.key.publicKey)) return null;
  if (address !== me.myAddress.toRawString()) return `it belongs to wallet ${shownWallet(address)}, not this node's ${addressText(me.myAddress, 'wallet')}`;
  return "it was signed with another key than this node's";
}

/** A wallet address from a file, as views show it, or as found when it is not one. */
function shownWallet(raw: unknown): string {
  try {
    return addressText(String(raw), 'wallet');
  } catch {
    return JSON.stringify(raw);
  }
}
