// toncenter v2 JSON shapes, both ways: get-method stacks (as @ton/ton's HttpApi sends them and TonClient
// parses them), transactions and messages (as HttpApi's zod codecs accept them), hashes in hex or base64.
import { Address, Cell, beginCell, storeMessage, storeStateInit, type Message, type Transaction, type TupleItem } from '@ton/core';
import { DevnetError } from './errors.js';

const bad = (message: string) => new DevnetError('DEVNET_BAD_PARAMS', message, 422);

export function parseAddress(value: unknown, field = 'address'): Address {
  if (typeof value !== 'string' || value.length === 0) {
    throw new DevnetError('DEVNET_BAD_ADDRESS', `Incorrect address: "${field}" must be a TON address string (raw 0:<64 hex> or user-friendly).`, 416);
  }
  try {
    return Address.parse(value);
  } catch {
    throw new DevnetError('DEVNET_BAD_ADDRESS', `Incorrect address: ${JSON.stringify(value.slice(0, 100))} in "${field}" is not a TON address.`, 416);
  }
}

export function parseBoc(value: unknown, field: string): Cell {
  if (typeof value !== 'string' || value.length === 0) throw new DevnetError('DEVNET_BAD_BOC', `"${field}" must be a base64-encoded BOC string.`, 400);
  try {
    const cells = Cell.fromBoc(Buffer.from(value, 'base64'));
    const root = cells[0];
    if (cells.length !== 1 || !root) throw new Error('expected exactly one root cell');
    return root;
  } catch (e) {
    throw new DevnetError('DEVNET_BAD_BOC', `"${field}" is not a valid BOC (${e instanceof Error ? e.message : String(e)}).`, 400);
  }
}

/** A 32-byte hash given as 64 hex digits or 44 base64 / base64url characters. */
export function parseHash(value: unknown, field = 'hash'): Buffer {
  if (typeof value === 'string') {
    if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
    if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
      const buf = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (buf.length === 32) return buf;
    }
  }
  throw bad(`"${field}" must be a 32-byte hash in hex (64 digits) or base64 (44 characters).`);
}

/** A non-negative integer given as a JSON number or a decimal string (lt values exceed 2^53). */
export function parseUint(value: unknown, field: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^[0-9]{1,30}$/.test(value)) return BigInt(value);
  throw bad(`"${field}" must be a non-negative integer (number or decimal string).`);
}

function parseStackInt(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string') {
    const m = /^(-?)(0x[0-9a-fA-F]+|[0-9]+)$/.exec(value.trim());
    if (m) {
      const v = BigInt(m[2] as string);
      return m[1] ? -v : v;
    }
  }
  throw bad(`a "num" stack entry must hold an integer (decimal or 0x-hex string, or a safe JSON number), got ${JSON.stringify(value)}.`);
}

/** The request stack of runGetMethod: [["num", "0x1f"], ["tvm.Cell", b64], ["tvm.Slice", b64], ...]. */
export function parseStack(value: unknown): TupleItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad('"stack" must be an array of [type, value] pairs, e.g. [["num", "5"]].');
  return value.map((entry: unknown, i): TupleItem => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw bad(`stack entry ${i} must be a [type, value] pair.`);
    const [type, v] = entry as [string, unknown];
    switch (type) {
      case 'num':
      case 'number':
      case 'int':
        return { type: 'int', value: parseStackInt(v) };
      case 'null':
        return { type: 'null' };
      case 'tvm.Cell':
      case 'cell':
        return { type: 'cell', cell: parseBoc(v, `stack[${i}]`) };
      case 'tvm.Slice':
      case 'slice':
        return { type: 'slice', cell: parseBoc(v, `stack[${i}]`) };
      case 'tvm.Builder':
      case 'builder':
        return { type: 'builder', cell: parseBoc(v, `stack[${i}]`) };
      default:
        throw bad(`stack entry ${i} has the unsupported type "${type}"; use num, tvm.Cell, tvm.Slice or tvm.Builder.`);
    }
  });
}

const b64 = (cell: Cell) => cell.toBoc().toString('base64');
const hexNum = (n: bigint) => (n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/** An element inside a tuple, in tonlib's typed form (what TonClient's parseStackEntry reads). */
function encodeTupleEntry(item: TupleItem): unknown {
  switch (item.type) {
    case 'int':
      return { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: item.value.toString() } };
    case 'nan':
      return { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: 'NaN' } };
    case 'null':
      return { '@type': 'tvm.stackEntryList', list: { '@type': 'tvm.list', elements: [] } };
    case 'cell':
    case 'builder':
      return { '@type': 'tvm.stackEntryCell', cell: { '@type': 'tvm.cell', bytes: b64(item.cell) } };
    case 'slice':
      return { '@type': 'tvm.stackEntrySlice', slice: { '@type': 'tvm.slice', bytes: b64(item.cell) } };
    case 'tuple':
      return { '@type': 'tvm.stackEntryTuple', tuple: { '@type': 'tvm.tuple', elements: item.items.map(encodeTupleEntry) } };
  }
}

/** The result stack of runGetMethod, in toncenter's top-level form. */
export function encodeStack(items: readonly TupleItem[]): unknown[] {
  return items.map((item) => {
    switch (item.type) {
      case 'int':
        return ['num', hexNum(item.value)];
      case 'nan':
        return ['num', 'NaN'];
      case 'null':
        return ['null'];
      case 'cell':
        return ['cell', { bytes: b64(item.cell), object: null }];
      case 'slice':
        return ['slice', { bytes: b64(item.cell), object: null }];
      case 'builder':
        return ['builder', { bytes: b64(item.cell), object: null }];
      case 'tuple':
        return ['tuple', { '@type': 'tvm.tuple', elements: item.items.map(encodeTupleEntry) }];
    }
  });
}

export function friendly(address: Address): string {
  return address.toString({ urlSafe: true, bounceable: true });
}

export function encodeMessage(msg: Message): unknown {
  const info = msg.info;
  const body = msg.body;
  const source = info.type === 'internal' || info.type === 'external-out' ? friendly(info.src) : '';
  const destination = info.type === 'internal' || info.type === 'external-in' ? friendly(info.dest) : '';
  const value = info.type === 'internal' ? info.value.coins : 0n;
  const fwdFee = info.type === 'internal' ? info.forwardFee : 0n;
  const ihrFee = info.type === 'internal' ? info.ihrFee : 0n;
  const createdLt = info.type === 'external-in' ? 0n : info.createdLt;
  const init = msg.init ? beginCell().store(storeStateInit(msg.init)).endCell() : null;
  return {
    '@type': 'raw.message',
    hash: beginCell().store(storeMessage(msg)).endCell().hash().toString('base64'),
    source,
    destination,
    value: value.toString(),
    extra_currencies: [],
    fwd_fee: fwdFee.toString(),
    ihr_fee: ihrFee.toString(),
    created_lt: createdLt.toString(),
    body_hash: body.hash().toString('base64'),
    msg_data: { '@type': 'msg.dataRaw', body: b64(body), init_state: init ? b64(init) : '' },
  };
}

export function storageFee(tx: Transaction): bigint {
  const d = tx.description;
  if ((d.type === 'generic' || d.type === 'tick-tock' || d.type === 'storage') && d.storagePhase) return d.storagePhase.storageFeesCollected;
  return 0n;
}

export function encodeTransaction(tx: Transaction, account: Address): unknown {
  const fee = tx.totalFees.coins;
  const storage = storageFee(tx);
  return {
    '@type': 'raw.transaction',
    address: { '@type': 'accountAddress', account_address: friendly(account) },
    utime: tx.now,
    data: b64(tx.raw),
    transaction_id: { '@type': 'internal.transactionId', lt: tx.lt.toString(), hash: tx.hash().toString('base64') },
    fee: fee.toString(),
    storage_fee: storage.toString(),
    other_fee: (fee - storage).toString(),
    ...(tx.inMessage ? { in_msg: encodeMessage(tx.inMessage) } : {}),
    out_msgs: [...tx.outMessages.values()].map(encodeMessage),
  };
}
