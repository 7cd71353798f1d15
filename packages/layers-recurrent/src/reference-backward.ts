/**
 * The defaults of the recurrent cells' fused backward kernels
 * (`lstmCellBackward`, `gruCellBackward`, `rnnCellBackward`), composed of
 * forward tensor ops (`narrow`, `mul`, `sub`, `cat`, `where`) on what the
 * forward step saved. They register under the backend name `'composite'`
 * beneath the fused CPU loops, so a backend that lacks a fused cell backward
 * (or a test that unregisters it) still trains, with the same numbers up to
 * rounding: the fused loops round once per element, these once per op.
 */
import { type Tensor, cat, gt, where } from '@strata/tensor';
import type { GRUCellGradients, LSTMCellGradients } from './kernels/cells.js';

/** `1 − x`. */
function oneMinus(x: Tensor): Tensor {
  return x.neg().add(1);
}

/** The `count` gate blocks of `[N, count · H]`, each `[N, H]`. */
function gateBlocks(gates: Tensor, count: number, hidden: number): Tensor[] {
  return Array.from({ length: count }, (_, block) => gates.narrow(1, block * hidden, hidden));
}

/**
 * `lstmCellBackward` in forward ops. With the saved activated gates i, f,
 * g, o and `tc = tanh(c)`: `dc = gradC + gradH · o · (1 − tc²)`, then the
 * pre-activation gradients `dc · g · i(1 − i)`, `dc · cPrevious · f(1 − f)`,
 * `dc · i · (1 − g²)`, `gradH · tc · o(1 − o)`, and `dcPrevious = dc · f`.
 */
export function lstmCellBackwardComposite(gradH: Tensor, gradC: Tensor, gates: Tensor, cPrevious: Tensor, c: Tensor): LSTMCellGradients {
  const hidden = cPrevious.shape[1]!;
  const [i, f, g, o] = gateBlocks(gates, 4, hidden) as [Tensor, Tensor, Tensor, Tensor];
  const tc = c.tanh();
  const dc = gradC.add(gradH.mul(o).mul(oneMinus(tc.square())));
  const dI = dc.mul(g).mul(i.mul(oneMinus(i)));
  const dF = dc.mul(cPrevious).mul(f.mul(oneMinus(f)));
  const dG = dc.mul(i).mul(oneMinus(g.square()));
  const dO = gradH.mul(tc).mul(o.mul(oneMinus(o)));
  return { gates: cat([dI, dF, dG, dO], 1), cPrevious: dc.mul(f) };
}

/**
 * `gruCellBackward` in forward ops. With the saved r, z, n and the recurrent
 * part of n's pre-activation (`hw_n + b_hn`): `dn = gradH · (1 − z)(1 − n²)`,
 * `dz = gradH · (hPrevious − n) · z(1 − z)`, `dr = dn · (hw_n + b_hn) · r(1 − r)`;
 * the recurrent product gets `dn · r` in n's block, and `hPrevious` directly `gradH · z`.
 */
export function gruCellBackwardComposite(gradH: Tensor, saved: Tensor, hPrevious: Tensor): GRUCellGradients {
  const hidden = hPrevious.shape[1]!;
  const [reset, update, candidate, recurrent] = gateBlocks(saved, 4, hidden) as [Tensor, Tensor, Tensor, Tensor];
  const dCandidate = gradH.mul(oneMinus(update)).mul(oneMinus(candidate.square()));
  const dUpdate = gradH.mul(hPrevious.sub(candidate)).mul(update.mul(oneMinus(update)));
  const dReset = dCandidate.mul(recurrent).mul(reset.mul(oneMinus(reset)));
  return {
    inputGates: cat([dReset, dUpdate, dCandidate], 1),
    hiddenGates: cat([dReset, dUpdate, dCandidate.mul(reset)], 1),
    hPrevious: gradH.mul(update),
  };
}

/** `rnnCellBackward` in forward ops, from the step's output h: `gradH · (1 − h²)` for tanh, `gradH` where `h > 0` (else 0) for relu. */
export function rnnCellBackwardComposite(gradH: Tensor, h: Tensor, relu: boolean): Tensor {
  return relu ? where(gt(h, 0), gradH, 0) : gradH.mul(oneMinus(h.square()));
}
