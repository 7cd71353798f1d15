import type { Tensor } from '@strata/tensor';

import type { GradientContext, GradientFormula, OperationName } from './formulas/types.js';
import { BackwardNode, SECOND_BACKWARD_MESSAGE, SavedTensor } from './graph.js';

/** The backward node of one recorded `@strata/tensor` operation. */
export class OperationNode<K extends OperationName> extends BackwardNode {
  private readonly formula: GradientFormula<K> | undefined;
  private readonly attributes: OperationAttributesOf<K>;
  private saved: readonly SavedTensor[] | null;
  private readonly savesTensors: boolean;

  constructor(
    name: K,
    formula: GradientFormula<K> | undefined,
    inputs: readonly Tensor[],
    output: Tensor,
    attributes: OperationAttributesOf<K>,
  ) {
    // Edges are captured now, before `output` (which may be an input, for an
    // in-place op) gets this node as its gradFn.
    super(name, inputs, 1);
    this.formula = formula;
    this.attributes = attributes;
    const toSave = formula?.save?.({ inputs, output, attributes }) ?? [];
    this.saved = toSave.map((tensor) => new SavedTensor(tensor));
    this.savesTensors = toSave.length > 0;
  }

  apply(gradOutputs: readonly (Tensor | null)[], owned: readonly boolean[] = []): readonly (Tensor | null | undefined)[] {
    if (this.formula === undefined) {
      throw new Error(`backward: the derivative for '${this.name}' is not implemented`);
    }
    if (this.saved === null) throw new Error(`${this.name} backward: ${SECOND_BACKWARD_MESSAGE}`);
    const context: GradientContext<K> = {
      attributes: this.attributes,
      saved: this.saved.map((saved) => saved.unpack(this.name)),
      inputShapes: this.inputShapes,
      inputDTypes: this.inputDTypes,
      needsInputGrad: this.nextEdges.map((edge) => edge !== null),
      gradOutputIsOwned: owned[0] === true,
    };
    return this.formula.backward(gradOutputs[0]!, context);
  }

  release(): void {
    // A node that saved nothing can run again, as in PyTorch.
    if (this.savesTensors) this.saved = null;
  }
}

type OperationAttributesOf<K extends OperationName> = GradientContext<K>['attributes'];
