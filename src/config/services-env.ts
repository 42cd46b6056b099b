import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'

/**
 * The settings of the local service stack as `scripts/services.sh up` writes them:
 * `$CHSYNC_HOME/services.env`, else `./.chsync/services.env`; empty when there is none.
 * `loadConfig` takes connections from it only where the config names none (see there).
 */
export function readServicesEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): NodeJS.Dict<string> {
  const file = resolve(cwd, env.CHSYNC_HOME ?? '.chsync', 'services.env')
  return existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}
}
