import { InvalidArgumentError } from '../errors';
import { LI2018, li2018Task } from '../intrinsic/li2018';
import type { IdArgs } from './id-command';

/** Flags the li2018 protocol fixes (Li et al.'s settings): giving one with it is refused, not overridden. */
export const LI2018_FIXED = ['optimizer', 'lr', 'lrSearch', 'lrExpand', 'patience', 'pilotEpochs', 'validationFraction', 'threshold'] as const;

/**
 * `id --protocol li2018`: the flags as Li et al.'s protocol sets them for the task (MNIST, --model fc
 * or lenet, pixels in place or shuffled; src/intrinsic/li2018.ts): their optimizer and lr, 100 epochs
 * of batch 128 (--max-epochs and --batch-size may cut them, recorded in the settings), their d grid
 * unless --dims is given, and the preset's basis unless --basis is given (`explicit`: the flags typed).
 */
export function li2018Args(args: IdArgs, explicit: ReadonlySet<string>): IdArgs {
  const given = LI2018_FIXED.filter((k) => explicit.has(k));
  if (given.length) {
    const flags = given.map((k) => (k === 'lrSearch' ? '--no-lr-search' : `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)).join(', ');
    throw new InvalidArgumentError(`--protocol li2018 sets ${flags} as Li et al. did (docs/intrinsic-dimension.md, "The paper preset"): drop ${given.length > 1 ? 'them' : 'it'}, or use the default protocol.`);
  }
  if (args.data !== 'mnist') throw new InvalidArgumentError(`--protocol li2018 reproduces Li et al.'s MNIST measurements: use --data mnist (got ${args.data}).`);
  if (args.search) throw new InvalidArgumentError('--protocol li2018 sweeps a d grid as Li et al. did: give --dims (or none, for the preset\'s grid), not --search.');
  const task = li2018Task(args.model ?? 'fc', args.shufflePixels);
  const s = LI2018[task];
  return {
    ...args,
    protocol: 'li2018',
    model: s.model,
    dims: args.dims ?? s.dims.slice(),
    basis: explicit.has('basis') ? args.basis : s.basis,
    lr: s.learningRate,
    lrSearch: false,
    maxEpochs: args.maxEpochs ?? s.epochs,
    batchSize: args.batchSize ?? s.batchSize,
    threshold: 0.9,
  };
}
