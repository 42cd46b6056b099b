/** Secrets never reach logs, errors or status output: these helpers strip them from what is shown. */

/**
 * The URL with its password replaced by `***`. Input: any string; a value that does not parse as a
 * URL is returned unchanged (it carries no `user:password@` part a URL parser would find).
 */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url
  }
  if (!parsed.password) return url
  parsed.password = '***'
  return parsed.toString()
}

/** Removes every occurrence of the given secrets from a message. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>((out, secret) => (secret ? out.split(secret).join('***') : out), text)
}
