/**
 * The ESM-only libraries, loaded once with import(): tsc ("module": "node16") keeps import() as it
 * is in the CommonJS output, where a static import would become a require() that fails.
 */
type GotModule = typeof import('got', { with: { 'resolution-mode': 'import' } });
type JoseModule = typeof import('jose', { with: { 'resolution-mode': 'import' } });

let got: Promise<GotModule> | undefined;
let jose: Promise<JoseModule> | undefined;

export function loadGot(): Promise<GotModule> {
  got ??= import('got');
  return got;
}

export function loadJose(): Promise<JoseModule> {
  jose ??= import('jose');
  return jose;
}

export type Got = GotModule['got'];
/** A request made with got.stream(): a duplex stream of the response body. */
export type GotStreamRequest = ReturnType<Got['stream']>;
