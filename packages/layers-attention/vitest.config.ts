import { sharedVitestConfig } from '../../tooling/config/vitest.shared.js';

export default sharedVitestConfig;
