/** Waiting that ends when its owner stops. */
import { RedoxError } from './errors';

/** `promise`, or RedoxError('stopped') as soon as `signal` fires, whichever comes first. */
export function untilStopped<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new RedoxError('stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RedoxError('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
