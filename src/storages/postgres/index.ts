export { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.js'
export { outboxNames, upsertOperationsSql, type OutboxNames } from './outbox-sql.js'
