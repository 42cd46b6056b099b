import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** `.chsync/services.env` (written by `npm run services:up`): where the local services are. */
export const servicesEnvFile = resolve(process.env.CHSYNC_HOME ?? '.chsync', 'services.env')

/** Loads services.env into `process.env`; variables already set win. */
export function loadServicesEnv(): void {
  if (!existsSync(servicesEnvFile)) return
  for (const line of readFileSync(servicesEnvFile, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line)
    if (match) process.env[match[1] as string] ??= match[2]
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run \`npm run services:up\` first (it writes ${servicesEnvFile})`)
  return value
}

/** Scratch space of one benchmark process (its chDB data directory lives here). */
export function benchHome(name: string): string {
  return resolve(process.env.CHSYNC_HOME ?? '.chsync', 'bench', name)
}
