import { openClickHouse, type ClickHouseDatabase } from './client.js'

/** The connection settings of one configured alias (`databases.<alias>` in the config). */
export interface AliasConnection {
  url: string
  database?: string
  user?: string
  password?: string
}

/**
 * Opens an alias's database, or with `name` another database on the same server (`default`, to
 * create the alias's database, which a client on a missing database cannot).
 */
export function openAlias(connection: AliasConnection, name = connection.database): ClickHouseDatabase {
  return openClickHouse({
    url: connection.url,
    ...(name === undefined ? {} : { database: name }),
    ...(connection.user === undefined ? {} : { username: connection.user }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
  })
}

/** The database an alias names: its `database`, else its URL's path, else `default`. */
export function openDatabaseName(connection: AliasConnection): string {
  if (connection.database !== undefined) return connection.database
  try {
    return decodeURIComponent(new URL(connection.url).pathname.replace(/^\/+/, '')) || 'default'
  } catch {
    return 'default'
  }
}
