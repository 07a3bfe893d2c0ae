import { InvalidArgumentError } from '../errors';

/**
 * A data set that lives outside this package (an npm package, a Debian package, a directory) could
 * not be found. `install` is the command that provides it; `searched` lists the places looked at.
 * Its `code` is `INVALID_ARGUMENT`, like every other error about the caller's environment or options.
 */
export class DataNotFoundError extends InvalidArgumentError {
  readonly install: string;
  readonly searched: string[];
  constructor(message: string, install: string, searched: string[]) {
    super(message);
    this.install = install;
    this.searched = searched;
  }
}
