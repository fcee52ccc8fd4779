// The devnet HTTP server: one sandbox chain served on 127.0.0.1 in the toncenter v2 shape that @ton/ton's
// TonClient uses (POST /jsonRPC, and the REST form GET|POST /<method>, also under /api/v2/), plus
// GET /devnet/info, POST /devnet/faucet {address, amount?} and POST /devnet/advanceTime {seconds}.
// Answers are { ok: true, result } or { ok: false, error, code } with the HTTP status equal to `code`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import type { Blockchain } from '@ton/sandbox';
import { DevnetBackend } from './backend.js';
import { DevnetError, toDevnetError } from './errors.js';
import { callMethod } from './rpc.js';

export interface DevnetOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; 127.0.0.1 by default. */
  host?: string;
  /** Directory that keeps the chain across restarts (created if missing). */
  dataDir: string;
  /** Receives one line per state change, error and lifecycle event. */
  log?: (line: string) => void;
}

export interface DevnetServer {
  /** Base URL, e.g. http://127.0.0.1:8788 (no trailing slash). */
  url: string;
  /** The endpoint to give TonClient: `${url}/jsonRPC`. */
  jsonRpcUrl: string;
  port: number;
  host: string;
  dataDir: string;
  /** The sandbox chain itself (for in-process tests; go through HTTP otherwise). */
  blockchain: Blockchain;
  /** Saves the chain and stops serving. Safe to call twice. */
  close(): Promise<void>;
}

/** Request bodies larger than this are refused (a BOC of a big contract fits easily). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Methods whose calls are logged (the ones that change the chain). */
const LOGGED = new Set(['sendBoc', 'sendBocReturnHash', 'devnet.faucet', 'devnet.advanceTime']);

const JsonRpcRequest = v.object({
  method: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  params: v.optional(v.unknown()),
  id: v.optional(v.union([v.string(), v.number(), v.null()])),
  jsonrpc: v.optional(v.string()),
});

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(e: DevnetError, extra: Record<string, unknown> = {}) {
  return { ok: false, error: e.message, code: e.status, devnet_code: e.code, ...extra };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(new DevnetError('DEVNET_TOO_LARGE', `The request body is over ${MAX_BODY_BYTES} bytes.`, 413));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DevnetError('DEVNET_BAD_REQUEST', 'The request body is not valid JSON.', 400);
  }
}

/** REST form: query parameters become params; a JSON value in `stack` is decoded. */
function queryParams(url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [k, val] of url.searchParams) {
    if (k === 'stack') {
      try {
        params[k] = JSON.parse(val) as unknown;
      } catch {
        params[k] = val;
      }
    } else {
      params[k] = val;
    }
  }
  return params;
}

const DEVNET_ROUTES: Record<string, { method: string; verb: 'GET' | 'POST' }> = {
  '/devnet/info': { method: 'devnet.info', verb: 'GET' },
  '/devnet/faucet': { method: 'devnet.faucet', verb: 'POST' },
  '/devnet/advanceTime': { method: 'devnet.advanceTime', verb: 'POST' },
};

type Run = (method: string, params: unknown) => Promise<unknown>;

/** Calls one method on the chain, logging what changes it and every failure. */
function runner(backend: DevnetBackend, log: (line: string) => void): Run {
  return async (method, params) => {
    try {
      const result = await callMethod(backend, method, params);
      if (LOGGED.has(method)) log(`${method} ok (block ${backend.seqno}, now ${backend.now()})`);
      return result;
    } catch (e) {
      const err = toDevnetError(e);
      log(`${method} failed: ${err.code}: ${err.message}`);
      throw err;
    }
  };
}

/** POST /jsonRPC: a JSON-RPC 2.0 call; a failed call is answered with the request's id. */
async function handleJsonRpc(req: IncomingMessage, res: ServerResponse, run: Run): Promise<void> {
  if ((req.method ?? 'GET') !== 'POST') throw new DevnetError('DEVNET_BAD_REQUEST', 'Send JSON-RPC requests with POST.', 405);
  const body = parseJson(await readBody(req));
  const parsed = v.safeParse(JsonRpcRequest, body);
  if (!parsed.success) {
    throw new DevnetError('DEVNET_BAD_REQUEST', `Not a JSON-RPC request (${v.summarize(parsed.issues).replace(/\n/g, '; ')}). Send {"id":"1","jsonrpc":"2.0","method":"getMasterchainInfo","params":{}}.`, 422);
  }
  const { method, params, id } = parsed.output;
  try {
    const result = await run(method, params);
    send(res, 200, { ok: true, result, id: id ?? null, jsonrpc: '2.0' });
  } catch (e) {
    const err = toDevnetError(e);
    send(res, err.status, errorBody(err, { id: id ?? null, jsonrpc: '2.0' }));
  }
}

/** One request: JSON-RPC, the devnet's own routes, or a toncenter method by name (GET or POST). */
async function handle(req: IncomingMessage, res: ServerResponse, run: Run): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://devnet.invalid');
  let path = url.pathname.replace(/\/+$/, '') || '/';
  if (path.startsWith('/api/v2/')) path = path.slice('/api/v2'.length);
  const verb = req.method ?? 'GET';
  if (path === '/jsonRPC') return handleJsonRpc(req, res, run);
  const devnetRoute = DEVNET_ROUTES[path];
  if (devnetRoute) {
    if (verb !== devnetRoute.verb) throw new DevnetError('DEVNET_BAD_REQUEST', `Use ${devnetRoute.verb} ${path}.`, 405);
    const params = verb === 'POST' ? parseJson(await readBody(req)) : queryParams(url);
    send(res, 200, { ok: true, result: await run(devnetRoute.method, params) });
    return;
  }
  const name = path.slice(1);
  if (/^[A-Za-z]+$/.test(name)) {
    let params: unknown;
    if (verb === 'GET') params = queryParams(url);
    else if (verb === 'POST') params = parseJson(await readBody(req));
    else throw new DevnetError('DEVNET_BAD_REQUEST', `Use GET or POST /${name}.`, 405);
    send(res, 200, { ok: true, result: await run(name, params) });
    return;
  }
  throw new DevnetError('DEVNET_UNKNOWN_METHOD', `Not found: ${path.slice(0, 100)}. Use POST /jsonRPC, GET|POST /<toncenter method>, or /devnet/info, /devnet/faucet, /devnet/advanceTime.`, 404);
}

/** Listens on host:port; a busy port is said in words (the chain is closed then). */
async function listen(server: Server, port: number, host: string, backend: DevnetBackend): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await backend.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw new DevnetError(
      'DEVNET_LISTEN_FAILED',
      code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is in use. Pick another with --port (0 picks a free one), or use the devnet already running there.`
        : `Cannot listen on ${host}:${port}: ${e instanceof Error ? e.message : String(e)}: ${LISTEN_NEXT[code ?? ''] ?? 'pick another --port (0 picks a free one) or --host'}.`,
      500,
    );
  }
}

/** Starts the devnet: opens (or creates) the chain in `dataDir`, then listens. */
/** What to do when the devnet cannot listen, by the listen error's code (EADDRINUSE has its own sentence). */
const LISTEN_NEXT: Readonly<Record<string, string>> = {
  EADDRNOTAVAIL: '--host takes an address of this machine: leave it out for 127.0.0.1 (loopback, the default)',
  ENOTFOUND: '--host takes an address of this machine: leave it out for 127.0.0.1 (loopback, the default)',
  EACCES: 'ports under 1024 need more rights: pick another with --port (0 picks a free one)',
};

export async function startDevnet(opts: DevnetOptions): Promise<DevnetServer> {
  const log = opts.log ?? (() => {});
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DevnetError('DEVNET_LISTEN_FAILED', `--port must be a whole number from 0 to 65535 (0 picks a free port), got ${String(opts.port)}.`, 500);
  }
  const backend = await DevnetBackend.open(opts.dataDir, log);
  const run = runner(backend, log);
  const server = createServer((req, res) => {
    handle(req, res, run).catch((e: unknown) => {
      const err = toDevnetError(e);
      send(res, err.status, errorBody(err));
      // A body we stopped reading: do not keep the socket around.
      if (err.code === 'DEVNET_TOO_LARGE') res.on('finish', () => req.destroy());
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await listen(server, port, host, backend);
  server.on('error', (e) => log(`server error: ${e.message}`));

  const bound = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostForUrl}:${bound}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    jsonRpcUrl: `${url}/jsonRPC`,
    port: bound,
    host,
    dataDir: opts.dataDir,
    blockchain: backend.blockchain,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await backend.close();
        log(`devnet stopped; the chain is saved in ${backend.dataFile}`);
      })();
      return closing;
    },
  };
}
