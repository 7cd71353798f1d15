import { installGradientRecorder } from '@strata/tensor';

import { recorder } from './recorder.js';

// Importing `@strata/autograd` is what turns gradients on: this is the
// package's one side effect (declared in package.json's `sideEffects`).
installGradientRecorder(recorder);
