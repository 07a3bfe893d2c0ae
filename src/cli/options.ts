import { InvalidArgumentError } from 'commander';

/** commander argument parsers: each throws commander's InvalidArgumentError with a readable reason. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0.');
  return n;
}

export function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('expected a number in (0, 1].');
  return n;
}

export function dimList(value: string): number[] {
  const dims = value.split(',').map((s) => Number(s.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InvalidArgumentError('expected a comma-separated list of positive integers, e.g. 100,200,400.');
  }
  return [...new Set(dims)].sort((a, b) => a - b);
}

export function searchRange(value: string): { min: number; max: number; points?: number; refine?: number } {
  const parts = value.split(':').map(Number);
  if (parts.length < 2 || parts.length > 4 || parts.some((p) => !Number.isInteger(p) || p < 0) || parts[0] < 1 || parts[1] < parts[0]) {
    throw new InvalidArgumentError('expected min:max[:points[:refine]] with integers 1 ≤ min ≤ max, e.g. 10:5000:6:2.');
  }
  const [min, max, points, refine] = parts;
  return { min, max, points, refine };
}
