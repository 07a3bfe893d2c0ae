import { readFileSync } from 'fs';
import { gunzipSync } from 'zlib';
import { IdxArray, parseIdx } from '../data/idx';
import { InvalidArgumentError } from '../errors';

/** True when `bytes` start with the gzip magic number 1F 8B. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an IDX file (MNIST's format) from disk and parses it with {@link parseIdx}, gunzipping it
 * first when it is gzip-compressed (detected from its first bytes, so `x.gz` and a renamed file both
 * work). Node only.
 *
 * @throws InvalidArgumentError naming the path when the file cannot be read, does not gunzip, or is
 *   not a valid IDX file.
 * @example
 * const { dims, data } = readIdxFile('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * // dims = [10000], data: Uint8Array of labels
 */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InvalidArgumentError(`cannot read IDX file ${path}: ${(e as Error).message}`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new InvalidArgumentError(`${path} starts like a gzip file but does not decompress: ${(e as Error).message}`);
    }
  }
  try {
    return parseIdx(bytes);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(`${path}: ${e.message}`);
    throw e;
  }
}
