import type { Tfjs } from '../workload.js';
import { UnsupportedError } from '../workload.js';

type KernelConfig = NonNullable<ReturnType<Tfjs['getKernel']>>;
type KernelInputs = Parameters<KernelConfig['kernelFunc']>[0]['inputs'];
type TensorInfo = NonNullable<KernelInputs[string]>;

/** The parts of TF.js's backends the borrowing uses (both have them; the public `KernelBackend` type lacks some). */
interface BorrowingBackend {
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  disposeData(dataId: object, force?: boolean): boolean;
}
interface CpuBackend extends BorrowingBackend {
  makeTensorInfo(shape: number[], dtype: TensorInfo['dtype'], values?: unknown): TensorInfo;
}
interface WasmBackend extends BorrowingBackend {
  makeOutput(shape: number[], dtype: TensorInfo['dtype'], memoryOffset?: number, values?: unknown): TensorInfo;
}

/**
 * Registers TF.js `cpu`'s kernels `names` on the `wasm` backend, for
 * workloads whose gradient wasm lacks (`Conv2DBackpropFilter`): the inputs are
 * copied out of wasm memory, the cpu kernel runs, and its result is copied
 * back. This is how PEERS.md timed wasm on those workloads ("borrowed"); the
 * cpu kernel then dominates the time. Returns a function that unregisters
 * them again, so other workloads see wasm as it ships.
 *
 * @throws UnsupportedError when the cpu backend or one of its kernels is not registered.
 */
export function borrowCpuKernels(tf: Tfjs, names: readonly string[]): () => void {
  const cpu = tf.findBackend('cpu') as unknown as CpuBackend | null;
  const wasm = tf.findBackend('wasm') as unknown as WasmBackend | null;
  if (cpu === null || wasm === null) throw new UnsupportedError('borrowing a kernel needs both the TF.js cpu and wasm backends loaded');
  const borrowed: string[] = [];
  for (const name of names) {
    if (tf.getKernel(name, 'wasm') !== undefined) continue;
    const config = tf.getKernel(name, 'cpu');
    if (config === undefined) throw new UnsupportedError(`TF.js cpu has no ${name} kernel to lend to wasm`);
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs }) => {
        const copies: Record<string, TensorInfo> = {};
        for (const [key, info] of Object.entries(inputs)) {
          if (info !== undefined) copies[key] = cpu.makeTensorInfo([...info.shape], info.dtype, wasm.readSync(info.dataId));
        }
        const result = config.kernelFunc({ inputs: copies, attrs, backend: cpu as never });
        const results = Array.isArray(result) ? result : [result];
        const outputs = results.map((info) => wasm.makeOutput([...info.shape], info.dtype, undefined, cpu.readSync(info.dataId)));
        for (const info of [...Object.values(copies), ...results]) cpu.disposeData(info.dataId, true);
        return Array.isArray(result) ? outputs : outputs[0]!;
      },
    });
    borrowed.push(name);
  }
  return () => {
    for (const name of borrowed.splice(0)) tf.unregisterKernel(name, 'wasm');
  };
}
