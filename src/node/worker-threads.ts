import * as os from 'os';
import { MessageChannel, MessagePort, Worker } from 'worker_threads';
import { InvalidArgumentError } from '../errors';
import { helperThreads, HelperThreads, setHelperThreads, WasmFunctionName } from '../linalg/wasm/threads';

/**
 * The helper's loop. ctl (Int32Array on a SharedArrayBuffer): [0] state (0 idle, 1 job, 2 failed,
 * 3 stop), [1] started, [2] handle, [3] function index, [4…] arguments. Memories arrive on the port
 * as {handle, memory, module} (or {handle} to forget one) and are read synchronously when a job
 * comes, so the helper never needs its event loop.
 */
const HELPER = `
const { workerData, receiveMessageOnPort } = require('worker_threads');
const { ctl, port, names } = workerData;
const instances = new Map();
Atomics.store(ctl, 1, 1);
for (;;) {
  Atomics.wait(ctl, 0, 0);
  const state = Atomics.load(ctl, 0);
  if (state === 3) break;
  if (state !== 1) continue;
  let ok = false;
  try {
    for (let m; (m = receiveMessageOnPort(port)); ) {
      const { handle, memory, module } = m.message;
      if (memory) instances.set(handle, new WebAssembly.Instance(module, { env: { memory } }).exports);
      else instances.delete(handle);
    }
    const k = instances.get(ctl[2]);
    if (k) {
      k[names[ctl[3]]](...Array.from(ctl.subarray(4, 4 + k[names[ctl[3]]].length)));
      ok = true;
    }
  } catch (e) {}
  Atomics.store(ctl, 0, ok ? 0 : 2);
  Atomics.notify(ctl, 0);
}
port.close();
`;

const NAMES: WasmFunctionName[] = ['project1', 'project4', 'lift1', 'lift4', 'gram', 'trmm'];
/** How long a join waits before it declares a helper lost (a dense pass takes milliseconds, a QR job under a second). */
const JOIN_TIMEOUT_MS = 30_000;

interface Helper {
  worker: Worker;
  ctl: Int32Array;
  port: MessagePort;
  lost: boolean;
}

/** A pool of worker_threads helpers; the calling thread blocks (Atomics.wait) while they finish. */
class WorkerPool implements HelperThreads {
  readonly helpers: number;
  private readonly pool: Helper[];
  private nextHandle = 1;

  constructor(helpers: number) {
    this.helpers = helpers;
    this.pool = Array.from({ length: helpers }, () => {
      const ctl = new Int32Array(new SharedArrayBuffer(4 * 16));
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(HELPER, { eval: true, workerData: { ctl, port: port2, names: NAMES }, transferList: [port2] });
      worker.unref(); // never keeps the process alive
      const h: Helper = { worker, ctl, port: port1, lost: false };
      worker.on('error', () => (h.lost = true));
      worker.on('exit', () => (h.lost = true));
      port1.unref();
      return h;
    });
  }

  attach(memory: WebAssembly.Memory, module: WebAssembly.Module): number {
    const handle = this.nextHandle++;
    for (const h of this.pool) h.port.postMessage({ handle, memory, module });
    return handle;
  }

  detach(handle: number): void {
    for (const h of this.pool) if (!h.lost) h.port.postMessage({ handle });
  }

  start(i: number, handle: number, fn: WasmFunctionName, args: number[]): boolean {
    const h = this.pool[i];
    if (!h || h.lost || Atomics.load(h.ctl, 1) !== 1 || Atomics.load(h.ctl, 0) !== 0) return false;
    h.ctl[2] = handle;
    h.ctl[3] = NAMES.indexOf(fn);
    h.ctl.set(args, 4);
    Atomics.store(h.ctl, 0, 1);
    Atomics.notify(h.ctl, 0);
    return true;
  }

  join(i: number): boolean {
    const h = this.pool[i];
    const until = Date.now() + JOIN_TIMEOUT_MS;
    while (Atomics.load(h.ctl, 0) === 1) {
      if (Atomics.wait(h.ctl, 0, 1, 1000) === 'timed-out' && Date.now() > until) {
        h.lost = true; // never handed another job, and stopped: the caller redoes its share
        void h.worker.terminate();
        return false;
      }
    }
    if (Atomics.load(h.ctl, 0) === 2) {
      Atomics.store(h.ctl, 0, 0);
      return false;
    }
    return true;
  }

  stop(): void {
    for (const h of this.pool) {
      Atomics.store(h.ctl, 0, 3);
      Atomics.notify(h.ctl, 0);
      h.lost = true;
    }
  }
}

/**
 * Lets dense bases (storage 'wasm') run their two passes, and the thin QR its Gram and triangular
 * products (src/linalg/qr-workspace.ts), on `threads` threads: the caller plus
 * `threads − 1` worker_threads helpers, over a shared WebAssembly memory. Both passes are
 * memory-bound; on this project's 2-core machine two threads take them from ≈ 50 to ≈ 40 ms at
 * 10⁵×1000 (docs/benchmarks.md). Idempotent for the same count; returns the helper count. The
 * helpers never keep the process alive. Bases created before this call use the threads too.
 *
 * @example
 * import { useWorkerThreads } from 'tfjs-subspace/node';
 * useWorkerThreads(); // one thread per core
 */
export function useWorkerThreads(threads: number = defaultThreads()): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > 8) {
    throw new InvalidArgumentError(`useWorkerThreads: threads must be an integer from 1 to 8 (the caller included), got ${threads}.`);
  }
  const current = helperThreads();
  if (current && current.helpers === threads - 1) return current.helpers;
  stopWorkerThreads();
  if (threads > 1) setHelperThreads(new WorkerPool(threads - 1));
  return threads - 1;
}

/** Stops the helpers of {@link useWorkerThreads}; dense bases go on with the calling thread alone. */
export function stopWorkerThreads(): void {
  const current = helperThreads();
  if (current && typeof (current as Partial<WorkerPool>).stop === 'function') (current as WorkerPool).stop();
  setHelperThreads(null);
}

function defaultThreads(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(8, n));
}
