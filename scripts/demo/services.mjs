// Where the local service stack runs: `.chsync/services.env`, written by `scripts/services.sh up`.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** The connection variables a child chsync process takes from services.env (a variable already set wins). */
const CONNECTIONS = ['CHSYNC_POSTGRES_URL', 'CHSYNC_REDIS_URL', 'CHSYNC_TEMPORAL_ADDRESS']

/**
 * The environment for the demo's chsync processes, and the Temporal Web UI's address. The ClickHouse
 * server of services.env is not taken over: the demo syncs into embedded ClickHouse unless told
 * otherwise (`--clickhouse` or CHSYNC_CLICKHOUSE_URL).
 */
export function serviceEnvironment(env = process.env) {
  const file = resolve(env.CHSYNC_HOME ?? '.chsync', 'services.env')
  const values = {}
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line)
      if (match) values[match[1]] = match[2]
    }
  }
  const childEnv = { ...env }
  for (const name of CONNECTIONS) if (!childEnv[name] && values[name]) childEnv[name] = values[name]
  return {
    env: childEnv,
    webUi: env.CHSYNC_TEMPORAL_UI_URL || values.CHSYNC_TEMPORAL_UI_URL || 'http://127.0.0.1:58233',
  }
}
