import * as tf from '@tensorflow/tfjs-core';
import { fileSystem } from './file-system';

/** The URL scheme tfjs-node's handler answers to, and so does {@link useFileSystem}'s. */
export const FILE_SCHEME = 'file://';

/** How many `useFileSystem()` calls are not undone yet; the routers answer only while it is > 0. */
let users = 0;
let registered = false;
/** True while a router asks tf.io which other handlers match: it does not answer itself then. */
let probing = false;

/**
 * Makes `model.save('file://dir')` and `tf.loadLayersModel('file://dir/model.json')` (or
 * `'file://dir'`) use {@link fileSystem}, through tf.io's save and load routers. The rest of the URL
 * is the path as written (`file://out/model` is relative to the working directory,
 * `file:///tmp/model` absolute), as tfjs-node reads it.
 *
 * Nothing is registered on import: this call does it, once per process however often it is called,
 * and returns a function that undoes this call (the routers stop answering once every call has been
 * undone). The routers step aside for any other handler that answers the same URL — tfjs-node's,
 * when it is loaded before or after — so `model.save('file://…')` never finds two handlers (which
 * tfjs-layers refuses); `fileSystem(path)` passed as the handler always uses this one.
 *
 * @example
 *   import { useFileSystem } from 'tfjs-subspace/node';
 *   useFileSystem();
 *   await model.save('file://out/model', { includeOptimizer: true });
 *   const back = await tf.loadLayersModel('file://out/model/model.json');
 */
export function useFileSystem(): () => void {
  if (!registered) {
    tf.io.registerSaveRouter((url) => route(url, (u) => tf.io.getSaveHandlers(u)));
    tf.io.registerLoadRouter((url, options) => route(url, (u) => tf.io.getLoadHandlers(u, options)));
    registered = true;
  }
  users++;
  let undone = false;
  return () => {
    if (!undone) users--;
    undone = true;
  };
}

/** A handler for one `file://` URL when no other router gives one; else null (tf.io skips it). */
function route(url: string | string[], others: (url: string) => tf.io.IOHandler[]): tf.io.IOHandler {
  const single = Array.isArray(url) ? (url.length === 1 ? url[0] : null) : url;
  if (users === 0 || probing || typeof single !== 'string' || !single.startsWith(FILE_SCHEME)) return null as unknown as tf.io.IOHandler;
  probing = true;
  let taken: boolean;
  try {
    taken = others(single).length > 0;
  } finally {
    probing = false;
  }
  return (taken ? null : fileSystem(single.slice(FILE_SCHEME.length))) as tf.io.IOHandler;
}
