import { plainEquivalenceTable } from './plain-equivalence';

plainEquivalenceTable('wasm');
