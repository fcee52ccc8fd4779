// The toncenter v2 methods the devnet answers (the ones @ton/ton's TonClient / HttpApi call, and a few
// neighbours), plus the devnet's own faucet / advanceTime / info. Every method validates its params and
// throws DevnetError; each runs alone on the chain (DevnetBackend.exclusive).
import { beginCell, loadMessage, type Address, type Cell, type Message } from '@ton/core';
import { GetMethodError } from '@ton/sandbox';
import { WalletContractV3R2, WalletContractV4, WalletContractV5R1 } from '@ton/ton';
import type { DevnetBackend, BlockRef } from './backend.js';
import { DevnetError } from './errors.js';
import { FAUCET_MAX } from '../types.js';
import { encodeStack, encodeTransaction, friendly, parseAddress, parseBoc, parseHash, parseStack, parseUint, storageFee } from './encode.js';

export type Params = Record<string, unknown>;
type Method = (backend: DevnetBackend, params: Params) => Promise<unknown>;

/** The default faucet grant: 100 TON. */
export const FAUCET_DEFAULT = 100n * 1_000_000_000n;
/** The largest single time advance: ten years. */
export const ADVANCE_MAX_SECONDS = 10 * 365 * 24 * 3600;

const ZERO_HASH = Buffer.alloc(32).toString('base64');

function blockIdExt(b: BlockRef) {
  return { '@type': 'ton.blockIdExt', workchain: b.workchain, shard: b.shard, seqno: b.seqno, root_hash: b.rootHash, file_hash: b.fileHash };
}

const hash256 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64');

async function accountState(backend: DevnetBackend, address: Address) {
  const c = await backend.contract(address);
  const st = c.accountState;
  const state: 'active' | 'uninitialized' | 'frozen' = st?.type === 'active' ? 'active' : st?.type === 'frozen' ? 'frozen' : 'uninitialized';
  const code = st?.type === 'active' && st.state.code ? st.state.code : null;
  const data = st?.type === 'active' && st.state.data ? st.state.data : null;
  const lt = c.lastTransactionLt;
  return {
    balance: c.balance,
    state,
    code,
    data,
    frozenHash: st?.type === 'frozen' ? hash256(st.stateHash) : '',
    lastTx: { '@type': 'internal.transactionId', lt: lt.toString(), hash: lt === 0n ? ZERO_HASH : hash256(c.lastTransactionHash) },
  };
}

async function getAddressInformation(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  const now = backend.tick();
  const a = await accountState(backend, address);
  return {
    '@type': 'raw.fullAccountState',
    balance: a.balance.toString(),
    extra_currencies: [],
    code: a.code ? a.code.toBoc().toString('base64') : '',
    data: a.data ? a.data.toBoc().toString('base64') : '',
    last_transaction_id: a.lastTx,
    block_id: blockIdExt(backend.block()),
    frozen_hash: a.frozenHash,
    sync_utime: now,
    state: a.state,
  };
}

async function getExtendedAddressInformation(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  const now = backend.tick();
  const a = await accountState(backend, address);
  const accountStateObj =
    a.state === 'active'
      ? { '@type': 'raw.accountState', code: a.code?.toBoc().toString('base64') ?? '', data: a.data?.toBoc().toString('base64') ?? '', frozen_hash: '' }
      : a.state === 'frozen'
        ? { '@type': 'raw.accountState', code: '', data: '', frozen_hash: a.frozenHash }
        : { '@type': 'uninited.accountState', frozen_hash: '' };
  return {
    '@type': 'fullAccountState',
    address: { '@type': 'accountAddress', account_address: friendly(address) },
    balance: a.balance.toString(),
    extra_currencies: [],
    last_transaction_id: a.lastTx,
    block_id: blockIdExt(backend.block()),
    sync_utime: now,
    account_state: accountStateObj,
    revision: 0,
  };
}

let walletCodes: Map<string, string> | undefined;
function knownWallets(): Map<string, string> {
  if (!walletCodes) {
    const publicKey = Buffer.alloc(32);
    walletCodes = new Map([
      [WalletContractV3R2.create({ workchain: 0, publicKey }).init.code.hash().toString('hex'), 'wallet v3 r2'],
      [WalletContractV4.create({ workchain: 0, publicKey }).init.code.hash().toString('hex'), 'wallet v4 r2'],
      [WalletContractV5R1.create({ workchain: 0, publicKey }).init.code.hash().toString('hex'), 'wallet v5 r1'],
    ]);
  }
  return walletCodes;
}

async function runGetNumber(backend: DevnetBackend, address: Address, method: string): Promise<bigint | null> {
  try {
    const r = await backend.blockchain.runGetMethod(address, method, []);
    const top = r.stack[0];
    return top?.type === 'int' ? top.value : null;
  } catch {
    return null;
  }
}

async function getWalletInformation(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  backend.tick();
  const a = await accountState(backend, address);
  const type = a.code ? knownWallets().get(a.code.hash().toString('hex')) : undefined;
  const res: Record<string, unknown> = {
    wallet: type !== undefined,
    balance: a.balance.toString(),
    extra_currencies: [],
    account_state: a.state,
    wallet_type: type,
    seqno: null,
    last_transaction_id: a.lastTx,
  };
  if (type) {
    const seqno = await runGetNumber(backend, address, 'seqno');
    const walletId = await runGetNumber(backend, address, 'get_subwallet_id');
    res.seqno = seqno === null ? null : Number(seqno);
    if (walletId !== null) res.wallet_id = Number(walletId);
  }
  return res;
}

async function getAddressBalance(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  backend.tick();
  return (await accountState(backend, address)).balance.toString();
}

async function getAddressState(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  backend.tick();
  return (await accountState(backend, address)).state;
}

async function runGetMethod(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  const method = p.method;
  if (!((typeof method === 'string' && method.length > 0 && method.length <= 128) || (typeof method === 'number' && Number.isSafeInteger(method)))) {
    throw new DevnetError('DEVNET_BAD_PARAMS', '"method" must be a get-method name (e.g. "seqno") or a numeric method id.', 422);
  }
  const stack = parseStack(p.stack);
  backend.tick();
  const a = await accountState(backend, address);
  const base = { '@type': 'smc.runResult', block_id: blockIdExt(backend.block()), last_transaction_id: a.lastTx };
  if (a.state !== 'active') return { ...base, gas_used: 0, stack: [], exit_code: -13 };
  try {
    const r = await backend.blockchain.runGetMethod(address, method, stack);
    return { ...base, gas_used: Number(r.gasUsed), stack: encodeStack(r.stack), exit_code: r.exitCode };
  } catch (e) {
    if (e instanceof GetMethodError) return { ...base, gas_used: Number(e.gasUsed), stack: [], exit_code: e.exitCode };
    throw e;
  }
}

function parseExternal(p: Params): { cell: Cell; message: Message } {
  const cell = parseBoc(p.boc, 'boc');
  let message: Message;
  try {
    message = loadMessage(cell.beginParse());
  } catch (e) {
    throw new DevnetError('DEVNET_BAD_BOC', `"boc" is not a message (${e instanceof Error ? e.message : String(e)}).`, 400);
  }
  if (message.info.type !== 'external-in') {
    throw new DevnetError(
      'DEVNET_BAD_BOC',
      `"boc" is an ${message.info.type} message; only external-in messages can be sent, as on a real network. Fund accounts with POST /devnet/faucet.`,
      400,
    );
  }
  return { cell, message };
}

/** TEP-467 normalized hash of an external-in message: no source, no import fee, no init, body by reference. */
function normalizedHash(message: Message): string {
  if (message.info.type !== 'external-in') throw new Error('not external-in');
  return beginCell()
    .storeUint(2, 2)
    .storeUint(0, 2)
    .storeAddress(message.info.dest)
    .storeCoins(0)
    .storeBit(false)
    .storeBit(true)
    .storeRef(message.body)
    .endCell()
    .hash()
    .toString('base64');
}

async function sendBoc(backend: DevnetBackend, p: Params) {
  const { cell } = parseExternal(p);
  await backend.sendExternal(cell);
  return { '@type': 'ok' };
}

async function sendBocReturnHash(backend: DevnetBackend, p: Params) {
  const { cell, message } = parseExternal(p);
  await backend.sendExternal(cell);
  return { '@type': 'raw.extMessageInfo', hash: cell.hash().toString('base64'), hash_norm: normalizedHash(message) };
}

async function estimateFee(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  const body = parseBoc(p.body, 'body');
  const initCode = p.init_code ? parseBoc(p.init_code, 'init_code') : null;
  const initData = p.init_data ? parseBoc(p.init_data, 'init_data') : null;
  const ignoreChksig = p.ignore_chksig === undefined ? true : p.ignore_chksig === true || p.ignore_chksig === 'true';
  const message: Message = {
    info: { type: 'external-in', src: null, dest: address, importFee: 0n },
    init: initCode || initData ? { code: initCode, data: initData } : undefined,
    body,
  };
  const tx = await backend.emulateExternal(message, ignoreChksig);
  const d = tx.description;
  const gas = d.type === 'generic' && d.computePhase.type === 'vm' ? d.computePhase.gasFees : 0n;
  const fwd = d.type === 'generic' && d.actionPhase ? (d.actionPhase.totalFwdFees ?? 0n) : 0n;
  const actionFees = d.type === 'generic' && d.actionPhase ? (d.actionPhase.totalActionFees ?? 0n) : 0n;
  const storage = storageFee(tx);
  let inFwd = tx.totalFees.coins - storage - gas - actionFees;
  if (inFwd < 0n) inFwd = 0n;
  return {
    '@type': 'query.fees',
    source_fees: { '@type': 'fees', in_fwd_fee: Number(inFwd), storage_fee: Number(storage), gas_fee: Number(gas), fwd_fee: Number(fwd) },
    destination_fees: [],
  };
}

async function getTransactions(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  const limit = p.limit === undefined || p.limit === null ? 10n : parseUint(p.limit, 'limit');
  if (limit < 1n || limit > 1000n) throw new DevnetError('DEVNET_BAD_PARAMS', '"limit" must be between 1 and 1000.', 422);
  const lt = p.lt === undefined || p.lt === null || p.lt === '' ? undefined : parseUint(p.lt, 'lt');
  const hash = p.hash === undefined || p.hash === null || p.hash === '' ? undefined : parseHash(p.hash);
  const toLt = p.to_lt === undefined || p.to_lt === null || p.to_lt === '' ? 0n : parseUint(p.to_lt, 'to_lt');
  let list = [...backend.transactionsOf(address)].reverse();
  if (lt !== undefined && hash !== undefined) {
    const at = list.findIndex((tx) => tx.lt === lt && tx.hash().equals(hash));
    if (at < 0) {
      throw new DevnetError('DEVNET_TX_NOT_FOUND', `LITE_SERVER_UNKNOWN: no transaction of ${friendly(address)} has lt ${lt} and that hash. Start from the account's last_transaction_id.`, 404);
    }
    list = list.slice(at);
  } else if (lt !== undefined) {
    list = list.filter((tx) => tx.lt <= lt);
  } else if (hash !== undefined) {
    throw new DevnetError('DEVNET_BAD_PARAMS', '"hash" must be sent together with "lt".', 422);
  }
  if (toLt > 0n) list = list.filter((tx) => tx.lt > toLt);
  return list.slice(0, Number(limit)).map((tx) => encodeTransaction(tx, address));
}

function locateParams(p: Params) {
  return { source: parseAddress(p.source, 'source'), destination: parseAddress(p.destination, 'destination'), createdLt: parseUint(p.created_lt, 'created_lt') };
}

async function tryLocateResultTx(backend: DevnetBackend, p: Params) {
  const { source, destination, createdLt } = locateParams(p);
  const tx = backend.transactionsOf(destination).find((t) => {
    const info = t.inMessage?.info;
    return info?.type === 'internal' && info.src.equals(source) && info.createdLt === createdLt;
  });
  if (!tx) throw new DevnetError('DEVNET_TX_NOT_FOUND', `No transaction of ${friendly(destination)} received a message from ${friendly(source)} created at lt ${createdLt}.`, 404);
  return encodeTransaction(tx, destination);
}

async function tryLocateSourceTx(backend: DevnetBackend, p: Params) {
  const { source, destination, createdLt } = locateParams(p);
  const tx = backend.transactionsOf(source).find((t) =>
    [...t.outMessages.values()].some((m) => m.info.type === 'internal' && m.info.dest.equals(destination) && m.info.createdLt === createdLt),
  );
  if (!tx) throw new DevnetError('DEVNET_TX_NOT_FOUND', `No transaction of ${friendly(source)} sent a message to ${friendly(destination)} created at lt ${createdLt}.`, 404);
  return encodeTransaction(tx, source);
}

async function getMasterchainInfo(backend: DevnetBackend) {
  const last = backend.block();
  return { '@type': 'blocks.masterchainInfo', last: blockIdExt(last), state_root_hash: last.rootHash, init: blockIdExt(backend.block(0)) };
}

async function packAddress(_backend: DevnetBackend, p: Params) {
  return friendly(parseAddress(p.address));
}

async function unpackAddress(_backend: DevnetBackend, p: Params) {
  return parseAddress(p.address).toRawString();
}

// ---- devnet-only calls ----

export const DEVNET_VERSION = '1';

async function devnetInfo(backend: DevnetBackend) {
  const now = backend.tick();
  return {
    '@type': 'devnet.info',
    version: DEVNET_VERSION,
    now,
    time_offset: backend.timeOffset,
    seqno: backend.seqno,
    saved_seqno: backend.savedSeqno,
    lt: backend.blockchain.lt.toString(),
    treasury: friendly(backend.treasury.address),
    treasury_raw: backend.treasury.address.toRawString(),
    data_dir: backend.dataDir,
    data_file: backend.dataFile,
  };
}

async function devnetFaucet(backend: DevnetBackend, p: Params) {
  const address = parseAddress(p.address);
  const amount = p.amount === undefined || p.amount === null ? FAUCET_DEFAULT : parseUint(p.amount, 'amount');
  if (amount < 1n || amount > FAUCET_MAX) {
    throw new DevnetError('DEVNET_BAD_PARAMS', `"amount" is in nanotons and must be between 1 and ${FAUCET_MAX} (1,000,000 TON); ask again for more.`, 422);
  }
  const tx = await backend.faucet(address, amount);
  const a = await accountState(backend, address);
  return {
    '@type': 'devnet.faucet',
    address: friendly(address),
    amount: amount.toString(),
    balance: a.balance.toString(),
    transaction_id: { '@type': 'internal.transactionId', lt: tx.lt.toString(), hash: tx.hash().toString('base64') },
  };
}

async function devnetAdvanceTime(backend: DevnetBackend, p: Params) {
  const seconds = parseUint(p.seconds, 'seconds');
  if (seconds < 1n || seconds > BigInt(ADVANCE_MAX_SECONDS)) {
    throw new DevnetError('DEVNET_BAD_PARAMS', `"seconds" must be a whole number between 1 and ${ADVANCE_MAX_SECONDS} (ten years).`, 422);
  }
  const now = backend.advanceTime(Number(seconds));
  return { '@type': 'devnet.time', now, time_offset: backend.timeOffset, advanced: Number(seconds) };
}

const METHODS: Record<string, Method> = {
  getAddressInformation,
  getExtendedAddressInformation,
  getWalletInformation,
  getAddressBalance,
  getAddressState,
  runGetMethod,
  sendBoc,
  sendBocReturnHash,
  estimateFee,
  getTransactions,
  tryLocateTx: tryLocateResultTx,
  tryLocateResultTx,
  tryLocateSourceTx,
  getMasterchainInfo,
  packAddress,
  unpackAddress,
  'devnet.info': devnetInfo,
  'devnet.faucet': devnetFaucet,
  'devnet.advanceTime': devnetAdvanceTime,
};

export const METHOD_NAMES: readonly string[] = Object.keys(METHODS);

/** Runs one method by its toncenter name (or devnet.info / devnet.faucet / devnet.advanceTime). */
export function callMethod(backend: DevnetBackend, method: string, params: unknown): Promise<unknown> {
  const fn = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (!fn) {
    return Promise.reject(new DevnetError('DEVNET_UNKNOWN_METHOD', `Unknown method ${JSON.stringify(method.slice(0, 100))}. This devnet answers: ${METHOD_NAMES.join(', ')}.`, 422));
  }
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    return Promise.reject(new DevnetError('DEVNET_BAD_PARAMS', '"params" must be a JSON object.', 422));
  }
  const p = (params ?? {}) as Params;
  return backend.exclusive(() => fn(backend, p));
}

