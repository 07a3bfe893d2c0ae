import { readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { InvalidArgumentError } from '../errors';
import type { IntrinsicDimensionResult } from '../intrinsic/options';
import { plotCurve } from './plot';

/** `tfjs-subspace plot`: redraws the SVG of a saved result. */
export async function runPlot(file: string, out?: string): Promise<void> {
  let record: IntrinsicDimensionResult & { data?: string; model?: string; sweep?: string };
  try {
    record = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${file} as a result.json of \`tfjs-subspace id\`: ${(e as Error).message}`);
  }
  if (record?.sweep === 'partial') throw new InvalidArgumentError(`${file} is a partial sweep (interrupted); rerun its command to finish it, then plot.`);
  if (!Array.isArray(record?.curve) || !record.baseline || !record.config) {
    throw new InvalidArgumentError(`${file} is not a result.json of \`tfjs-subspace id\` (no curve, baseline or config).`);
  }
  const target = out ?? join(dirname(file), 'curve.svg');
  writeFileSync(target, await plotCurve(record, `Intrinsic dimension: ${record.data ?? '?'}, ${record.model ?? '?'}`));
  console.log(`wrote ${target}`);
}
