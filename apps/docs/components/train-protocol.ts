/** The messages between the CNN demo's page and its Web Worker (components/train-worker.ts). */

/** Page → worker. */
export type ToWorker =
  | { type: 'start'; base: string; seed: number; steps: number; batchSize: number; lr: number; trainImages: number; testImages: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'download' };

/** Worker → page. */
export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'step'; step: number; loss: number; accuracy: number; millisecondsPerStep: number }
  | { type: 'paused'; step: number }
  | {
      type: 'evaluated';
      testAccuracy: number;
      testLoss: number;
      confusion: number[][];
      /** The first test images with their true and predicted classes. */
      predictions: { pixels: number[]; label: number; predicted: number }[];
    }
  | { type: 'weights'; bytes: Uint8Array }
  | { type: 'error'; text: string };
