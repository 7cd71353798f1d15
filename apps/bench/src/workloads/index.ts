import type { Workload } from '../workload.js';
import { attentionWorkloads } from './attention.js';
import { cnnWorkloads } from './cnn.js';
import { convWorkloads } from './conv.js';
import { embeddingWorkloads } from './embedding.js';
import { matmulWorkloads } from './matmul.js';
import { normWorkloads } from './norm.js';
import { poolingWorkloads } from './pooling.js';
import { recurrentWorkloads } from './recurrent.js';
import { trainingWorkloads } from './training.js';

/**
 * Every workload of WORKLOADS.md that exists so far, in the order of that
 * file. A new family adds its file beside `matmul.ts` and its list here (and
 * the same ids to `python/peer.py`).
 */
export const workloads: readonly Workload[] = [
  ...matmulWorkloads, ...convWorkloads, ...poolingWorkloads, ...normWorkloads, ...embeddingWorkloads, ...trainingWorkloads,
  ...cnnWorkloads.filter((workload) => workload.id !== 'fashion_mnist_epoch'),
  // WORKLOADS.md lists lstm_fwd_bwd and transformer_encoder_fwd_bwd between cnn_train_step and fashion_mnist_epoch.
  ...recurrentWorkloads,
  ...attentionWorkloads,
  ...cnnWorkloads.filter((workload) => workload.id === 'fashion_mnist_epoch'),
];

/**
 * The workloads whose ids are listed, in registry order; throws on an
 * unknown id. Without ids: all of them, less those that take minutes
 * (`onlyOnRequest`) unless `full`.
 */
export function selectWorkloads(ids: readonly string[] | undefined, full = false): Workload[] {
  if (ids === undefined || ids.length === 0) return workloads.filter((workload) => full || !workload.onlyOnRequest);
  const known = new Set(workloads.map((workload) => workload.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new RangeError(`bench: unknown workload ${unknown.join(', ')}; expected one of ${[...known].join(', ')}`);
  }
  return workloads.filter((workload) => ids.includes(workload.id));
}
