import { defineConfig } from 'tsup';
import { packageBuild } from '../../tooling/config/tsup.shared.js';

// Entries come from package.json's exports map (see tooling/PACKAGING.md).
export default defineConfig(packageBuild());
