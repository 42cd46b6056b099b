/**
 * The Lua scripts of RedisStorage: every step that touches more than one key is one script, so it
 * is atomic (Redis runs a script to completion) and costs one round trip. Keys are passed in KEYS
 * (all in one hash slot); nothing else is touched. Needs Redis ≥ 6.2 (ZRANGESTORE, ZRANGE BYSCORE).
 * Per-operation work is left to native commands where possible: Lua loops cost microseconds each.
 *
 * Lua's `unpack` is limited to a few thousand values, so bulk commands go in chunks of 1000.
 * Sequences are Lua doubles: exact up to 2^53, i.e. until the microsecond clock reaches year 2255.
 */

/**
 * Registration, shared by `register` and `retryDeadLetters`. A sequence is max(last + 1, server
 * time in µs): strictly increasing, and never behind the clock, so versions written to ClickHouse
 * keep growing even after Redis lost its data or was flushed (a restarted counter would write
 * versions older than the rows ClickHouse holds, and ReplacingMergeTree would keep the old ones).
 * Kinds coalesce by src/storages/coalesce.ts.
 */
const REGISTER = `
local function combine(previous, nextKind)
  if nextKind == 'd' then return 'd' end
  if not previous then return nextKind end
  if previous == 'i' and nextKind == 'i' then return 'i' end
  return 'u'
end

local function register(seqKey, opsKey, kindsKey, kinds, keys)
  local n = #keys
  if n == 0 then return 0 end
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
  local base = math.max(tonumber(redis.call('GET', seqKey) or '0') + 1, now)
  redis.call('SET', seqKey, string.format('%d', base + n - 1))
  local pending = {}
  for first = 1, n, 1000 do
    local last = math.min(first + 999, n)
    local stored = redis.call('HMGET', kindsKey, unpack(keys, first, last))
    local scored, kinded = {}, {}
    for i = first, last do
      local key = keys[i]
      local previous = pending[key]
      if previous == nil then previous = stored[i - first + 1] end
      local kind = combine(previous, kinds[i])
      pending[key] = kind
      scored[#scored + 1] = string.format('%d', base + i - 1)
      scored[#scored + 1] = key
      kinded[#kinded + 1] = key
      kinded[#kinded + 1] = kind
    end
    redis.call('ZADD', opsKey, unpack(scored))
    redis.call('HSET', kindsKey, unpack(kinded))
  end
  return n
end
`

/** KEYS: seq, ops, kinds. ARGV: kind letter, keys… Returns how many were registered. */
const registerLua = `${REGISTER}
local kinds = {}
local keys = {}
for i = 2, #ARGV do
  kinds[i - 1] = ARGV[1]
  keys[i - 1] = ARGV[i]
end
return register(KEYS[1], KEYS[2], KEYS[3], kinds, keys)
`

/**
 * KEYS: lock, fence, claim, claimOps, claimKinds, ops, kinds. ARGV: owner, ttl ms, batch size.
 * Takes the lock (a new token even for the same owner, which fences out its older attempts), then
 * resumes the standing claim or claims the first operations by sequence: ZRANGESTORE copies keys
 * and sequences natively, and the kinds are copied in the same order, so later registrations on
 * those keys change nothing the batch holds. The batch id is the sequence range, unique because
 * sequences never repeat. The backlog (ZCARD of ops, the claimed operations included) comes back
 * with the claim, so a round need not ask for it again.
 * Returns {'locked', owner, pttl} | {'empty'} | {'resumed' | 'claimed', batchId, size, token, backlog}.
 */
const claimLua = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return {'locked', owner, redis.call('PTTL', KEYS[1])} end
local token = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local standing = redis.call('HMGET', KEYS[3], 'batchId', 'size')
if standing[1] then return {'resumed', standing[1], standing[2], token, redis.call('ZCARD', KEYS[6])} end
redis.call('DEL', KEYS[4], KEYS[5])
local size = redis.call('ZRANGESTORE', KEYS[4], KEYS[6], 0, tonumber(ARGV[3]) - 1)
if size == 0 then
  redis.call('DEL', KEYS[1])
  return {'empty'}
end
local keys = redis.call('ZRANGE', KEYS[4], 0, -1)
for first = 1, #keys, 1000 do
  local kinds = redis.call('HMGET', KEYS[7], unpack(keys, first, math.min(first + 999, #keys)))
  for i = 1, #kinds do kinds[i] = kinds[i] or 'u' end
  redis.call('RPUSH', KEYS[5], unpack(kinds))
end
local firstSeq = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')[2]
local lastSeq = redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')[2]
local batchId = string.format('%d-%d', tonumber(firstSeq), tonumber(lastSeq))
redis.call('HSET', KEYS[3], 'batchId', batchId, 'size', size)
return {'claimed', batchId, tostring(size), token, redis.call('ZCARD', KEYS[6])}
`

/** KEYS: lock. ARGV: token, ttl ms. Returns 1 when the token still holds the lock. */
const extendLua = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`

/**
 * KEYS: lock, fence, claim. ARGV: owner, ttl ms. Takes the lock without claiming, unless another owner
 * holds it or a batch stands claimed. Returns {'locked', owner, pttl} | {'claimed', batchId} | {'ok', token}.
 */
const takeLockLua = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return {'locked', owner, redis.call('PTTL', KEYS[1])} end
local standing = redis.call('HGET', KEYS[3], 'batchId')
if standing then return {'claimed', standing} end
local token = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'ok', token}
`

/** KEYS: lock, claim, staged. ARGV: token, batchId, name, data, ttl ms. Returns 'ok' | 'fenced' | 'unclaimed'. */
const stageLua = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 'fenced' end
if redis.call('HGET', KEYS[2], 'batchId') ~= ARGV[2] then return 'unclaimed' end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return 'ok'
`

/**
 * KEYS: lock, claim, claimOps, claimKinds, ops, kinds, staged, dead, scratch. ARGV: token, batchId,
 * dead letters (JSON)…
 * A batch whose claim is gone was completed by an earlier call: nothing to do (idempotent). Else
 * the token must hold the lock (fencing). Removes each claimed operation whose sequence is
 * unchanged — a key registered again meanwhile has a newer sequence and stays. The comparison is
 * native: ZINTERSTORE with weights 1, -1 scores each claimed key still waiting with (current −
 * claimed) sequence, so the unchanged ones are exactly the members scored 0. Either way the backlog
 * left comes back, so a round need not ask for it again.
 * Returns {'fenced'} | {'done' | 'ok', removed, backlog, oldest sequence or ''}.
 */
const postSyncLua = `
local function left(status, removed)
  local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return {status, removed, redis.call('ZCARD', KEYS[5]), oldest[2] or ''}
end
if redis.call('HGET', KEYS[2], 'batchId') ~= ARGV[2] then return left('done', 0) end
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return {'fenced'} end
redis.call('ZINTERSTORE', KEYS[9], 2, KEYS[5], KEYS[3], 'WEIGHTS', 1, -1)
local gone = redis.call('ZRANGE', KEYS[9], 0, 0, 'BYSCORE')
for first = 1, #gone, 1000 do
  local last = math.min(first + 999, #gone)
  redis.call('ZREM', KEYS[5], unpack(gone, first, last))
  redis.call('HDEL', KEYS[6], unpack(gone, first, last))
end
for i = 3, #ARGV do redis.call('RPUSH', KEYS[8], ARGV[i]) end
redis.call('DEL', KEYS[9], KEYS[7], KEYS[4], KEYS[3], KEYS[2], KEYS[1])
return left('ok', #gone)
`

/** KEYS: lock. ARGV: token. Releases the lock if the token holds it; the claim stays for a resume. */
const releaseLua = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`

/** KEYS: seq, ops, kinds, dead. Registers every dead letter again and clears the list. Returns how many. */
const retryDeadLua = `${REGISTER}
local letters = redis.call('LRANGE', KEYS[4], 0, -1)
local kinds, keys = {}, {}
for i, letter in ipairs(letters) do
  local operation = cjson.decode(letter).operation
  kinds[i] = string.sub(operation.kind, 1, 1)
  keys[i] = operation.key
end
redis.call('DEL', KEYS[4])
register(KEYS[1], KEYS[2], KEYS[3], kinds, keys)
return #letters
`

/**
 * KEYS: lock, claim, claimOps, claimKinds, ops, kinds, dead, staged (of the claim the caller read).
 * ARGV: that claim's batch id or '', reason, ISO time, keys…
 * Refuses while the lock is held, or when the claim is no longer the one read ('changed': read
 * again). Parks each waiting operation of the keys as a dead letter and removes it; if the claim
 * holds one of them, drops it and its staged payload (its operations are still in ops, so the next
 * round claims them again, without the skipped ones — possibly under the same batch id, which is
 * why the old payload must go).
 * Returns {'locked'} | {'changed'} | {'ok', skipped}.
 */
const skipLua = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'locked'} end
if (redis.call('HGET', KEYS[2], 'batchId') or '') ~= ARGV[1] then return {'changed'} end
local skipped, claimed = 0, false
for i = 4, #ARGV do
  local key = ARGV[i]
  local seq = redis.call('ZSCORE', KEYS[5], key)
  if seq then
    local letter = redis.call('HGET', KEYS[6], key) or 'u'
    local kind = ({i = 'insert', u = 'update', d = 'delete'})[letter]
    redis.call('RPUSH', KEYS[7], cjson.encode({
      operation = {kind = kind, key = key, seq = tonumber(seq)}, error = ARGV[2], at = ARGV[3]}))
    redis.call('ZREM', KEYS[5], key)
    redis.call('HDEL', KEYS[6], key)
    skipped = skipped + 1
  end
  if redis.call('ZSCORE', KEYS[3], key) then claimed = true end
end
if claimed then redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[8]) end
return {'ok', skipped}
`

/**
 * KEYS: seq, ops, kinds, relayed. ARGV: kind letter, key, kind letter, key… (one chunk of a relay
 * from the PostgreSQL outbox, src/capture/relay.ts). Registers them and records the last sequence
 * handed out as the relayed watermark, in one script: wherever Redis keeps the watermark after a
 * crash, it kept these operations too. Returns the watermark.
 */
const relayLua = `${REGISTER}
local kinds, keys = {}, {}
for i = 1, #ARGV, 2 do
  kinds[#kinds + 1] = ARGV[i]
  keys[#keys + 1] = ARGV[i + 1]
end
register(KEYS[1], KEYS[2], KEYS[3], kinds, keys)
local last = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[4], last)
return last
`

/** The scripts, by the command name `defineCommand` gives them, with their number of keys. */
export const REDIS_SCRIPTS = {
  chsyncRegister: { lua: registerLua, numberOfKeys: 3 },
  chsyncClaim: { lua: claimLua, numberOfKeys: 7 },
  chsyncTakeLock: { lua: takeLockLua, numberOfKeys: 3 },
  chsyncExtendLock: { lua: extendLua, numberOfKeys: 1 },
  chsyncStage: { lua: stageLua, numberOfKeys: 3 },
  chsyncPostSync: { lua: postSyncLua, numberOfKeys: 9 },
  chsyncReleaseLock: { lua: releaseLua, numberOfKeys: 1 },
  chsyncRetryDeadLetters: { lua: retryDeadLua, numberOfKeys: 4 },
  chsyncSkip: { lua: skipLua, numberOfKeys: 8 },
  chsyncRelay: { lua: relayLua, numberOfKeys: 4 },
} as const

export type RedisScriptName = keyof typeof REDIS_SCRIPTS
