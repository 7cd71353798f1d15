import { defineConfig } from 'tsup';
import { packageBuild } from '../../tooling/config/tsup.shared.js';

export default defineConfig(packageBuild(['src/index.ts']));
