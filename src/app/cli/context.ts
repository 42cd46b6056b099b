import type { Client } from '@temporalio/client'
import type { Storage } from '../../storages/storage.js'
import type { TemporalSettings } from '../../config/temporal-settings.js'

/**
 * What the sync commands need from a loaded configuration. Built by `openCliContext` (config.ts);
 * commands take it as an argument so they stay small and testable.
 */
export interface CliContext {
  temporal: TemporalSettings
  /** Every import key of the config, and whether its sync is enabled. */
  units: { importKey: string; enabled: boolean }[]
  /** The Temporal client (connected on first use). */
  client(): Promise<Client>
  /** The storage that holds an import key's operations (opened on first use). */
  storage(importKey: string): Promise<Storage>
  close(): Promise<void>
}

/** The import keys a command names, checked against the config; `--all` means every enabled one. */
export function selectImportKeys(context: CliContext, names: readonly string[], all: boolean): string[] {
  if (all) return context.units.filter((unit) => unit.enabled).map((unit) => unit.importKey)
  if (names.length === 0) throw new Error('name at least one model (import key), or use --all')
  const known = new Set(context.units.map((unit) => unit.importKey))
  const unknown = names.filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new Error(`unknown model ${unknown.join(', ')} (known: ${[...known].sort().join(', ') || 'none'})`)
  }
  return [...names]
}
