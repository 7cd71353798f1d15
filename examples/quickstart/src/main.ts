import { runQuickstart } from './quickstart.js';

runQuickstart();
