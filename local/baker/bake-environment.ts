/**
 * What a local bake command inherits from the control plane's environment: the network and package-manager
 * settings a dependency install needs behind a proxy or a private CA, and nothing else (no credentials the
 * operator's shell happens to hold). A name ending in `*` is a prefix. A service adds names with
 * `bake.passEnvironment`.
 */
export const BAKE_ENVIRONMENT_ALLOWLIST = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'npm_config_*',
  'NPM_CONFIG_*',
  'PIP_*',
  'UV_*',
  'LANG',
  'LC_ALL',
  'TZ',
] as const;

const allowed = (name: string, patterns: readonly string[]) =>
  patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));

/**
 * A bake command's environment: the allowlisted names the control plane has, then PATH and HOME (the image
 * root, so caches and dotfiles land in it), and npm's debug logs kept beside the bake's record (`logsDir`)
 * unless the operator's settings put them elsewhere.
 */
export function bakeEnvironment(
  from: NodeJS.ProcessEnv,
  options: { passEnvironment: readonly string[]; home: string; logsDir: string },
): Record<string, string> {
  const patterns = [...BAKE_ENVIRONMENT_ALLOWLIST, ...options.passEnvironment];
  const passed = Object.entries(from).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && allowed(entry[0], patterns),
  );
  return {
    npm_config_logs_dir: options.logsDir,
    ...Object.fromEntries(passed),
    PATH: from.PATH ?? '',
    HOME: options.home,
  };
}
