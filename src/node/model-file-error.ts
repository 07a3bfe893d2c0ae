import { CheckpointError } from '../errors';

/**
 * A model folder could not be written or read by {@link fileSystem}: a missing or unreadable
 * model.json, a weights file that is missing or whose length is not what model.json's weightsManifest
 * describes, a path that is a file where a folder is needed. `path` is the file or folder at fault.
 * Its `code` is `CHECKPOINT`, like every other error about saved state that cannot be made or loaded.
 */
export class ModelFileError extends CheckpointError {
  readonly path: string;
  constructor(message: string, path: string) {
    super(message);
    this.path = path;
  }
}
