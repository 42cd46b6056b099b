import type { ChsyncConfig } from './schema.js'

/**
 * Types a `chsync.config.ts` default export; validation happens in `loadConfig`.
 * @example
 * export default defineConfig({
 *   databases: { default: { url: 'http://127.0.0.1:8123', database: 'analytics' } },
 *   postgres: { url: 'postgres://app@127.0.0.1/app' },
 *   models: [users],
 * })
 */
export function defineConfig(config: ChsyncConfig): ChsyncConfig {
  return config
}
