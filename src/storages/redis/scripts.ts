/**
 * The Lua scripts of RedisStorage: every step that touches more than one key is one script, so it
 * is atomic (Redis runs a script to completion) and costs one round trip. Keys are passed in KEYS
 * (all in one hash slot); nothing else is touched. Needs Redis ≥ 6.2 (ZMSCORE).
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
export const registerLua = `${REGISTER}
local kinds = {}
local keys = {}
for i = 2, #ARGV do
  kinds[i - 1] = ARGV[1]
  keys[i - 1] = ARGV[i]
end
return register(KEYS[1], KEYS[2], KEYS[3], kinds, keys)
`

/**
 * KEYS: lock, fence, claim, claimOps, ops, kinds. ARGV: owner, ttl ms, batch size.
 * Takes the lock (a new token even for the same owner, which fences out its older attempts), then
 * resumes the standing claim or claims the first operations by sequence. The batch id is the
 * sequence range, unique because sequences never repeat.
 * Returns {'locked', owner, pttl} | {'empty'} | {'resumed' | 'claimed', batchId, size, token}.
 */
export const claimLua = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return {'locked', owner, redis.call('PTTL', KEYS[1])} end
local token = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local standing = redis.call('HMGET', KEYS[3], 'batchId', 'size')
if standing[1] then return {'resumed', standing[1], standing[2], token} end
local members = redis.call('ZRANGE', KEYS[5], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
if #members == 0 then
  redis.call('DEL', KEYS[1])
  return {'empty'}
end
local firstSeq, lastSeq
for first = 1, #members, 2000 do
  local last = math.min(first + 1999, #members)
  local keys = {}
  for i = first, last, 2 do keys[#keys + 1] = members[i] end
  local kinds = redis.call('HMGET', KEYS[6], unpack(keys))
  local entries = {}
  for j = 1, #keys do
    local seq = string.format('%d', tonumber(members[first + 2 * j - 1]))
    firstSeq = firstSeq or seq
    lastSeq = seq
    entries[j] = (kinds[j] or 'u') .. seq .. ':' .. keys[j]
  end
  redis.call('RPUSH', KEYS[4], unpack(entries))
end
local batchId = firstSeq .. '-' .. lastSeq
local size = tostring(#members / 2)
redis.call('HSET', KEYS[3], 'batchId', batchId, 'size', size)
return {'claimed', batchId, size, token}
`

/** KEYS: lock. ARGV: token, ttl ms. Returns 1 when the token still holds the lock. */
export const extendLua = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`

/** KEYS: lock, claim, staged. ARGV: token, batchId, name, data, ttl ms. Returns 'ok' | 'fenced' | 'unclaimed'. */
export const stageLua = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 'fenced' end
if redis.call('HGET', KEYS[2], 'batchId') ~= ARGV[2] then return 'unclaimed' end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return 'ok'
`

/**
 * KEYS: lock, claim, claimOps, ops, kinds, staged, lastSync, dead. ARGV: token, batchId, now ms,
 * dead letters (JSON)…
 * A batch whose claim is gone was completed by an earlier call: nothing to do (idempotent). Else
 * the token must hold the lock (fencing). Removes each claimed operation whose sequence is
 * unchanged — a key registered again meanwhile has a newer sequence and stays.
 * Returns {'done', 0} | {'fenced'} | {'ok', removed, backlog, oldest sequence or ''}.
 */
export const postSyncLua = `
if redis.call('HGET', KEYS[2], 'batchId') ~= ARGV[2] then return {'done', 0} end
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return {'fenced'} end
local count = redis.call('LLEN', KEYS[3])
local removed = 0
for first = 0, count - 1, 1000 do
  local entries = redis.call('LRANGE', KEYS[3], first, first + 999)
  local keys, seqs = {}, {}
  for j, entry in ipairs(entries) do
    local colon = string.find(entry, ':', 2, true)
    seqs[j] = tonumber(string.sub(entry, 2, colon - 1))
    keys[j] = string.sub(entry, colon + 1)
  end
  local scores = redis.call('ZMSCORE', KEYS[4], unpack(keys))
  local gone = {}
  for j = 1, #keys do
    if scores[j] and tonumber(scores[j]) == seqs[j] then gone[#gone + 1] = keys[j] end
  end
  if #gone > 0 then
    redis.call('ZREM', KEYS[4], unpack(gone))
    redis.call('HDEL', KEYS[5], unpack(gone))
    removed = removed + #gone
  end
end
for i = 4, #ARGV do redis.call('RPUSH', KEYS[8], ARGV[i]) end
redis.call('SET', KEYS[7], ARGV[3])
redis.call('DEL', KEYS[6], KEYS[3], KEYS[2], KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
return {'ok', removed, redis.call('ZCARD', KEYS[4]), oldest[2] or ''}
`

/** KEYS: lock. ARGV: token. Releases the lock if the token holds it; the claim stays for a resume. */
export const releaseLua = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`

/** KEYS: seq, ops, kinds, dead. Registers every dead letter again and clears the list. Returns how many. */
export const retryDeadLua = `${REGISTER}
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

/** The scripts, by the command name `defineCommand` gives them, with their number of keys. */
export const REDIS_SCRIPTS = {
  chsyncRegister: { lua: registerLua, numberOfKeys: 3 },
  chsyncClaim: { lua: claimLua, numberOfKeys: 6 },
  chsyncExtendLock: { lua: extendLua, numberOfKeys: 1 },
  chsyncStage: { lua: stageLua, numberOfKeys: 3 },
  chsyncPostSync: { lua: postSyncLua, numberOfKeys: 8 },
  chsyncReleaseLock: { lua: releaseLua, numberOfKeys: 1 },
  chsyncRetryDeadLetters: { lua: retryDeadLua, numberOfKeys: 4 },
} as const

export type RedisScriptName = keyof typeof REDIS_SCRIPTS
