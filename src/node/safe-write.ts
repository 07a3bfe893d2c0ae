import { randomBytes } from 'crypto';
import { open, rename, rm } from 'fs/promises';
import { basename, dirname, join } from 'path';

/** A file to write: its final path and its bytes, in pieces written one after the other. */
export interface FileToWrite {
  path: string;
  parts: Uint8Array[];
}

/**
 * Writes each file into a temporary sibling (`.<name>.<pid>.<random>.tmp`, flushed to the disk), and
 * only when all are complete renames them over their final names, in the order given. A reader never
 * sees half a file, and a failure (a full disk, a killed process before the renames) leaves the old
 * files as they were; the temporary files of a failed write are removed. The set is not one atomic
 * step: a crash between two renames leaves the first file new and the next one old.
 */
export async function writeFilesSafely(files: FileToWrite[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const file of files) {
      const temp = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      temps.push(temp);
      await writeFlushed(temp, file.parts);
    }
    for (let i = 0; i < files.length; i++) await rename(temps[i], files[i].path);
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw e;
  }
}

/** Writes `parts` into a new file (never an existing one) and fsyncs it before closing. */
async function writeFlushed(path: string, parts: Uint8Array[]): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    for (const part of parts) {
      for (let done = 0; done < part.byteLength; ) {
        const { bytesWritten } = await handle.write(part, done, part.byteLength - done);
        done += bytesWritten;
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}
