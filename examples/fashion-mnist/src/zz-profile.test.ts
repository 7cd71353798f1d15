import { it } from 'vitest';
import { formatProfile, profileCnnStep } from './profile.js';
it('profile', () => { console.log(formatProfile(profileCnnStep(4))); });
