import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** `.chsync/services.env`, written by `scripts/services.sh up`: how the tests reach the local services. */
export const servicesEnvFile = resolve(process.env.CHSYNC_HOME ?? '.chsync', 'services.env')

/** The KEY=VALUE lines of services.env; variables already in the environment win. */
export function readServicesEnv(file = servicesEnvFile): Record<string, string> {
  if (!existsSync(file)) return {}
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => {
      const at = line.indexOf('=')
      return [line.slice(0, at), line.slice(at + 1)] as const
    })
  return Object.fromEntries(entries)
}

export function applyServicesEnv(file = servicesEnvFile): void {
  for (const [key, value] of Object.entries(readServicesEnv(file))) process.env[key] ??= value
}

/** A service setting the tests cannot run without. */
export function requireEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run \`npm run services:up\` (it writes ${servicesEnvFile})`)
  return value
}
