/**
 * TEMPORARY: parseIdx is not exported from 'tfjs-subspace' yet; taken from the library's source until
 * it is (then import it from 'tfjs-subspace' in datasets.ts and delete this file).
 */
export { parseIdx } from '../../../src/data/idx';
