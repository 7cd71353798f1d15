import { formatProfile, profileCnnStep } from './profile.js';

// `pnpm --filter @strata/examples-fashion-mnist run profile [steps]`: where one training step of the CNN spends its time.
const steps = Number(process.argv[2] ?? 5);
console.log(`One training step of the CNN (batch 64, Adam), median of ${steps} steps after one warm-up:\n`);
console.log(formatProfile(profileCnnStep(Number.isInteger(steps) && steps > 0 ? steps : 5)));
