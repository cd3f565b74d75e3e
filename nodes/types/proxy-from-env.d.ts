// proxy-from-env ships no typings: the one function this package uses.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from http_proxy, https_proxy, all_proxy and no_proxy, or '' for none. */
  export function getProxyForUrl(url: string | URL, options?: { env?: Record<string, string | undefined> }): string;
}
