import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as root from '../../src';
import { Basis, basisFromSpec, basisSpec, InvalidArgumentError } from '../../src';
import { isSeededKind, SEEDED_BASIS_KINDS, SEEDED_KINDS, seededFactoryList, seededKindList } from '../../src/basis/kinds';
import { checkBasisSpec } from '../../src/basis/from-spec';
import { seededBasis } from '../../src/intrinsic/resolve';
import { useBackend } from '../helpers';
import { checkBasisContract } from './contract';

beforeAll(() => useBackend('cpu'));

/** Q·e_j for every j, read back as plain numbers (the basis materialized column by column). */
function columns(b: Basis): number[][] {
  return tf.tidy(() => Array.from({ length: b.dim }, (_, j) => Array.from(b.lift(tf.tensor1d(Array.from({ length: b.dim }, (_, i) => (i === j ? 1 : 0)))).dataSync())));
}

describe('the seeded basis kind registry', () => {
  it('lists its keys in order, the built-in gaussian, hashed and srht among them, and nothing else', () => {
    expect(SEEDED_BASIS_KINDS).toEqual(Object.keys(SEEDED_KINDS));
    expect(SEEDED_BASIS_KINDS).toEqual(expect.arrayContaining(['gaussian', 'hashed', 'srht']));
    const quoted = SEEDED_BASIS_KINDS.map((k) => `'${k}'`);
    expect(seededKindList()).toBe(`${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`);
    for (const k of SEEDED_BASIS_KINDS) expect(isSeededKind(k)).toBe(true);
    for (const k of ['dense', 'block', 'toString', '', null, 3]) expect(isSeededKind(k)).toBe(false);
  });

  it.each(SEEDED_BASIS_KINDS)('%s: its factory is the root export it names, and builds what create builds', (kind) => {
    const factory = (root as unknown as Record<string, (D: number, d: number, o: { seed: number }) => Basis>)[SEEDED_KINDS[kind].factory];
    expect(typeof factory).toBe('function');
    const before = tf.memory().numTensors;
    const [a, b] = [factory(40, 3, { seed: 5 }), SEEDED_KINDS[kind].create(40, 3, 5)];
    expect(columns(a)).toEqual(columns(b));
    [a, b].forEach((x) => x.dispose());
    expect(tf.memory().numTensors).toBe(before);
    const factories = SEEDED_BASIS_KINDS.map((k) => SEEDED_KINDS[k].factory);
    expect(seededFactoryList()).toBe(`${factories.slice(0, -1).join(', ')} or ${factories[factories.length - 1]}`);
    expect(seededFactoryList('and')).toBe(`${factories.slice(0, -1).join(', ')} and ${factories[factories.length - 1]}`);
  });

  it.each(SEEDED_BASIS_KINDS)('%s: the Basis contract (QᵀQ = I, project = Qᵀv, lift = Q·c, checks, no leak)', (kind) => {
    checkBasisContract(() => SEEDED_KINDS[kind].create(50, 7, 3), 50, 7);
  });

  it.each(SEEDED_BASIS_KINDS)('%s: its spec rebuilds Q bit for bit, through basisFromSpec and intrinsicDimension\'s factory', (kind) => {
    const before = tf.memory().numTensors;
    const b = SEEDED_KINDS[kind].create(70, 6, 11);
    expect(basisSpec(b)).toEqual({ kind, D: 70, d: 6, seed: 11 });
    const again = basisFromSpec(basisSpec(b)!);
    const viaTool = seededBasis(kind)(70, 6, 11);
    const q = columns(b);
    expect(columns(again)).toEqual(q); // exact: the same seed gives the same floats
    expect(columns(viaTool)).toEqual(q);
    expect(columns(SEEDED_KINDS[kind].create(70, 6, 12))).not.toEqual(q);
    [b, again, viaTool].forEach((x) => x.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an unknown kind is refused naming every registered kind, by spec parsing and by the tool', () => {
    expect(() => checkBasisSpec('load', { kind: 'dense', D: 4, d: 2, seed: 0 })).toThrow(InvalidArgumentError);
    expect(() => checkBasisSpec('load', { kind: 'dense', D: 4, d: 2, seed: 0 })).toThrow(`a seeded basis is ${seededKindList()}`);
    expect(() => seededBasis('dense' as never)).toThrow(seededKindList());
  });

  it('a spec saved before the one seed rule still loads: any safe integer seed, negative included; others are refused', () => {
    const before = tf.memory().numTensors;
    for (const kind of SEEDED_BASIS_KINDS) {
      const b = basisFromSpec({ kind, D: 30, d: 4, seed: -12 });
      expect(basisSpec(b)).toEqual({ kind, D: 30, d: 4, seed: -12 });
      b.dispose();
    }
    expect(() => checkBasisSpec('load', { kind: 'hashed', D: 4, d: 2, seed: 1.5 })).toThrow(
      new InvalidArgumentError('load: seed must be a safe integer (|seed| ≤ 2^53 − 1), got 1.5.'),
    );
    expect(() => checkBasisSpec('load', { kind: 'hashed', D: 4, d: 2 })).toThrow('load: the basis spec has no seed; expected {kind, D, d, seed}.');
    expect(tf.memory().numTensors).toBe(before);
  });
});
