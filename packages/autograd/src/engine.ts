import { ShapeError, type Storage, type Tensor, add, add_, clone, formatShape, setGradEnabled, shapesEqual, to } from '@strata/tensor';

import { AccumulateGrad, type BackwardNode, type Edge } from './graph.js';

/** How one backward pass runs. */
export interface EngineOptions {
  /** Keep saved tensors so the graph can be run again. */
  readonly retainGraph: boolean;
  /** Run the formulas with grad mode on, so the gradients have a graph of their own. */
  readonly createGraph: boolean;
  /**
   * For `grad()`: the edges whose gradients are wanted. Then nothing is
   * accumulated into any `grad`, and only nodes that lead to a wanted edge run.
   */
  readonly captures?: readonly Edge[];
}

/**
 * Runs backward from `roots` (edges) seeded with `rootGradients`. Nodes run
 * once all the nodes that feed them have, so each gets the sum of its
 * gradients from every path; the traversal is iterative, since graphs can be
 * deeper than the call stack. Returns the gradient of each capture (or `null`).
 */
export function runBackward(
  roots: readonly Edge[],
  rootGradients: readonly Tensor[],
  options: EngineOptions,
): (Tensor | null)[] {
  const dependencies = countDependencies(roots);
  const captures = options.captures ?? null;
  const needed = captures === null ? null : neededNodes(roots, captures);
  const captured: (Tensor | null)[] = captures === null ? [] : captures.map(() => null);

  const buffers = new Map<BackwardNode, (Tensor | null)[]>();
  const ownership = new GradientOwnership(rootGradients);
  const previousGradMode = setGradEnabled(options.createGraph);
  try {
    for (let i = 0; i < roots.length; i++) addToBuffer(buffers, roots[i]!, rootGradients[i]!);
    const ready: BackwardNode[] = [];
    for (const root of roots) {
      if (dependencies.get(root.node) === 0 && !ready.includes(root.node)) ready.push(root.node);
    }
    while (ready.length > 0) {
      const node = ready.pop()!;
      const gradients = buffers.get(node) ?? new Array<Tensor | null>(node.outputCount).fill(null);
      buffers.delete(node);
      runTensorHooks(node, gradients, captures === null, ownership);
      if (captures !== null) {
        for (let c = 0; c < captures.length; c++) {
          const capture = captures[c]!;
          if (capture.node === node && gradients[capture.index] !== null) {
            captured[c] = gradients[capture.index]!;
            ownership.handedOut(captured[c]!);
          }
        }
      }
      const runs = needed === null || needed.has(node);
      let inputGradients: readonly (Tensor | null | undefined)[] = [];
      if (runs && gradients.some((gradient) => gradient !== null)) {
        if (node instanceof AccumulateGrad) {
          if (captures === null) accumulateIntoLeaf(node.variable, gradients[0]!, ownership.mayTake(gradients[0]!, node.variable, options));
          // Whether taken over or summed, the leaf's grad is the user's from now on.
          ownership.handedOut(gradients[0]!);
        } else {
          const owned = options.createGraph ? [] : gradients.map((gradient) => gradient !== null && ownership.owns(gradient));
          inputGradients = node.apply(gradients, owned);
          // The buffer is spent: a gradient in it is held again only where the formula passed it on.
          for (const gradient of gradients) if (gradient !== null) ownership.consumed(gradient);
        }
        if (!options.retainGraph) node.release();
      }
      for (let i = 0; i < node.nextEdges.length; i++) {
        const edge = node.nextEdges[i];
        if (edge === null || edge === undefined) continue;
        const gradient = inputGradients[i];
        if (gradient !== null && gradient !== undefined) {
          const checked = checkGradient(node, i, gradient);
          ownership.delivered(checked);
          addToBuffer(buffers, edge, checked, ownership, options.createGraph);
        }
        const remaining = dependencies.get(edge.node)! - 1;
        dependencies.set(edge.node, remaining);
        if (remaining === 0) ready.push(edge.node);
      }
    }
  } finally {
    setGradEnabled(previousGradMode);
  }
  return captured;
}

/** How many edges from nodes reachable from `roots` point at each node (iterative DFS). */
function countDependencies(roots: readonly Edge[]): Map<BackwardNode, number> {
  const dependencies = new Map<BackwardNode, number>();
  const stack: BackwardNode[] = [];
  for (const root of roots) {
    if (!dependencies.has(root.node)) {
      dependencies.set(root.node, 0);
      stack.push(root.node);
    }
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const edge of node.nextEdges) {
      if (edge === null) continue;
      const count = dependencies.get(edge.node);
      if (count === undefined) {
        dependencies.set(edge.node, 1);
        stack.push(edge.node);
      } else {
        dependencies.set(edge.node, count + 1);
      }
    }
  }
  return dependencies;
}

/**
 * The nodes that must run for `grad()`: those from which a captured edge can
 * be reached through some input (a captured node itself runs only if another
 * capture lies below it).
 */
function neededNodes(roots: readonly Edge[], captures: readonly Edge[]): Set<BackwardNode> {
  const captureNodes = new Set(captures.map((capture) => capture.node));
  const leadsToCapture = new Map<BackwardNode, boolean>();
  // Post-order without recursion: a node is finished once its children are.
  const stack: { node: BackwardNode; expanded: boolean }[] = roots.map((root) => ({ node: root.node, expanded: false }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (leadsToCapture.has(top.node)) {
      stack.pop();
      continue;
    }
    if (!top.expanded) {
      top.expanded = true;
      for (const edge of top.node.nextEdges) {
        if (edge !== null && !leadsToCapture.has(edge.node)) stack.push({ node: edge.node, expanded: false });
      }
      continue;
    }
    stack.pop();
    let leads = false;
    for (const edge of top.node.nextEdges) {
      if (edge !== null && (captureNodes.has(edge.node) || leadsToCapture.get(edge.node) === true)) leads = true;
    }
    leadsToCapture.set(top.node, leads);
  }
  const needed = new Set<BackwardNode>();
  for (const [node, leads] of leadsToCapture) if (leads) needed.add(node);
  return needed;
}

/**
 * Adds a gradient to a node's input buffer. The second and later gradients
 * of one slot are summed into the first in place when this pass owns it
 * (see {@link GradientOwnership.owns}) and no graph is being built, as
 * PyTorch's InputBuffer accumulates; otherwise into a new tensor.
 */
function addToBuffer(
  buffers: Map<BackwardNode, (Tensor | null)[]>,
  edge: Edge,
  gradient: Tensor,
  ownership: GradientOwnership | null = null,
  createGraph = false,
): void {
  let buffer = buffers.get(edge.node);
  if (buffer === undefined) {
    buffer = new Array<Tensor | null>(edge.node.outputCount).fill(null);
    buffers.set(edge.node, buffer);
  }
  const existing = buffer[edge.index];
  if (existing === null || existing === undefined) {
    buffer[edge.index] = gradient;
    return;
  }
  if (ownership !== null && !createGraph && ownership.owns(existing) && existing.storage !== gradient.storage) {
    add_(existing, gradient);
    return;
  }
  const sum = add(existing, gradient);
  ownership?.delivered(sum);
  buffer[edge.index] = sum;
}

/**
 * Checks a formula's gradient for input `index` against the input's shape
 * (a wrong shape is a bug in the formula) and casts it to the input's dtype.
 */
function checkGradient(node: BackwardNode, index: number, gradient: Tensor): Tensor {
  const shape = node.inputShapes[index]!;
  if (!shapesEqual(gradient.shape, shape)) {
    throw new ShapeError(
      `${node.name} backward: returned an invalid gradient at index ${index}: got shape ${formatShape(gradient.shape)} but expected shape ${formatShape(shape)}`,
    );
  }
  const dtype = node.inputDTypes[index]!;
  return gradient.dtype === dtype ? gradient : to(gradient, dtype);
}

/**
 * Runs the hooks of the tensors whose gradients are in `gradients` (a hook's
 * returned tensor replaces the gradient), then keeps `grad` for those that
 * called `retainGrad()`.
 */
function runTensorHooks(
  node: BackwardNode,
  gradients: (Tensor | null)[],
  retainGradients: boolean,
  ownership: GradientOwnership,
): void {
  for (let index = 0; index < gradients.length; index++) {
    let gradient = gradients[index];
    if (gradient === null || gradient === undefined) continue;
    const tensor = node instanceof AccumulateGrad ? node.variable : node.output(index);
    if (tensor === null) continue;
    for (const hook of [...tensor.gradientHooks]) {
      // The hook may keep the gradient it is given: it is no longer this pass's to reuse.
      ownership.handedOut(gradient);
      const replacement = hook(gradient);
      if (replacement !== undefined) {
        if (!shapesEqual(replacement.shape, gradient.shape)) {
          throw new ShapeError(
            `hook: a hook returned a gradient of shape ${formatShape(replacement.shape)} for a gradient of shape ${formatShape(gradient.shape)}`,
          );
        }
        gradient = replacement.dtype === gradient.dtype ? replacement : to(replacement, gradient.dtype);
      }
    }
    gradients[index] = gradient;
    if (retainGradients && !(node instanceof AccumulateGrad) && tensor.retainsGrad) {
      tensor.grad = tensor.grad === null ? clone(gradient) : add(tensor.grad, gradient);
    }
  }
}

/**
 * Which gradients this pass alone holds, so that a leaf may take one over as
 * its `grad` without a copy (as PyTorch's AccumulateGrad steals a gradient
 * nobody else holds) and a node's input buffer may sum into one in place. JS
 * has no reference counts, so a gradient qualifies only when this pass made
 * it: not a root gradient the caller passed in, its storage delivered to
 * exactly one place (counting every view of it), owning its whole storage
 * (not a view), and never given to a hook or returned by `grad()`. Formulas
 * and `defineOp` backward functions return fresh tensors or pass their
 * incoming gradient (or views of it) through, never a tensor they keep
 * elsewhere.
 */
class GradientOwnership {
  /** Per storage, how many times a tensor reading it was delivered to a buffer. */
  private readonly deliveries = new Map<Storage, number>();
  private readonly foreign = new Set<Storage>();

  constructor(rootGradients: readonly Tensor[]) {
    for (const gradient of rootGradients) this.foreign.add(gradient.storage);
  }

  delivered(gradient: Tensor): void {
    this.deliveries.set(gradient.storage, (this.deliveries.get(gradient.storage) ?? 0) + 1);
  }

  /** A node ran on `gradient` and dropped it from its buffer. */
  consumed(gradient: Tensor): void {
    const count = this.deliveries.get(gradient.storage);
    if (count !== undefined) this.deliveries.set(gradient.storage, count - 1);
  }

  /** `gradient` left the engine (a hook saw it, `grad()` returns it): never reuse its storage. */
  handedOut(gradient: Tensor): void {
    this.foreign.add(gradient.storage);
  }

  /**
   * Whether this pass alone holds `gradient`, a whole contiguous storage of
   * its own, so a node may write into it. It may be a view (a reshape's
   * backward hands on its input's gradient reshaped): what counts is that
   * it covers its storage in order and that no other holder of the storage
   * was delivered or handed out.
   */
  owns(gradient: Tensor): boolean {
    const storage = gradient.storage;
    if (this.foreign.has(storage) || this.deliveries.get(storage) !== 1 || gradient.offset !== 0) return false;
    return storage.data.length === gradient.numel() && gradient.isContiguous();
  }

  mayTake(gradient: Tensor, leaf: Tensor, options: EngineOptions): boolean {
    if (options.createGraph || leaf.gradientHooks.length > 0) return false;
    if (gradient.dtype !== leaf.dtype) {
      // The conversion below makes a fresh tensor; still, a gradient someone else holds is not ours to give.
      return !this.foreign.has(gradient.storage) && this.deliveries.get(gradient.storage) === 1 && gradient.base === null && gradient.offset === 0;
    }
    // A leaf's .grad is never a view, as in PyTorch.
    return this.owns(gradient) && gradient.base === null;
  }
}

/**
 * Accumulates into a leaf's `grad` like PyTorch: the first time a tensor of
 * its own — the incoming gradient itself when `mayTake` (nothing else holds
 * it), else a copy — and a sum afterwards. Both are recorded under
 * `createGraph` (grad mode is on then), so the gradient keeps its graph.
 */
function accumulateIntoLeaf(leaf: Tensor, gradient: Tensor, mayTake: boolean): void {
  if (!leaf.requiresGrad) return;
  const converted = gradient.dtype === leaf.dtype ? gradient : to(gradient, leaf.dtype);
  if (leaf.grad === null) {
    leaf.grad = mayTake ? converted : clone(converted);
  } else {
    leaf.grad = add(leaf.grad, converted);
  }
}
