export { RedisStorage, type RedisStorageOptions } from './redis-storage.js'
export { checkRedisDurability } from './check-durability.js'
