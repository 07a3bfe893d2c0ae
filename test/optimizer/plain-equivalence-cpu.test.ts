import { plainEquivalenceTable } from './plain-equivalence';

plainEquivalenceTable('cpu');
