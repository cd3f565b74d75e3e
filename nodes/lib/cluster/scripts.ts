/**
 * The Lua scripts that keep the shared rate budget in Redis: each runs atomically on Redis's own
 * clock (TIME), so instances whose clocks differ still agree on the window.
 */

/** Milliseconds on Redis's clock. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Turns in the rolling window, up to ARGV[5] of them at once. KEYS: window (sorted set of
 * requests by time), budgets (sorted set of "<limit>:<instance>" by last seen), pause, waiting.
 * ARGV: own limit, window ms, instance id, member prefix, how many wanted. The members granted are
 * "<prefix>:1" to "<prefix>:<n>". Returns {1, n, limit} when n were granted; {0, wait ms, limit}
 * when the window is full; {2, wait ms, limit} while a 429 pauses everyone. The limit is the
 * smallest of the instances seen in the last minute. More than one turn is granted only from the
 * room above a quarter of the budget, and only while no instance had to wait in the last window:
 * under contention one turn at a time, so that no turn sits leased in one instance (to be given
 * back unseen) while another sleeps until the window frees.
 */
export const TAKE_TURNS = `${NOW}
local own = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1] .. ':' .. ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
redis.call('PEXPIRE', KEYS[2], 120000)
local limit = own
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local theirs = tonumber(string.match(member, '^(%d+):'))
  if theirs and theirs < limit then limit = theirs end
end
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then return {2, paused, limit} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local room = limit - redis.call('ZCARD', KEYS[1])
if room > 0 then
  local n = 1
  if redis.call('EXISTS', KEYS[4]) == 0 then
    n = math.max(1, math.min(tonumber(ARGV[5]), room - math.ceil(limit / 4)))
  end
  for i = 1, n do redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. i) end
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, n, limit}
end
redis.call('SET', KEYS[4], '1', 'PX', window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(oldest[2]) + window - now + 1), limit}`;

/** An instance says its budget (on connecting), before its first turn. KEYS: budgets. ARGV: limit, instance id. */
export const ANNOUNCE_BUDGET = `${NOW}
redis.call('ZADD', KEYS[1], now, ARGV[1] .. ':' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], 120000)
return 0`;

/**
 * Requests answered: each counts in the window from now (Redox counts it on arrival, between its
 * start and its answer), as the local throttle counts. KEYS: window. ARGV: window ms, members.
 */
export const REQUESTS_DONE = `${NOW}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then redis.call('ZADD', KEYS[1], 'XX', now, ARGV[i]) end
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 0`;

/** A request outside a turn (authenticate, refresh, a resend after a 401). KEYS: window. ARGV: member, window ms. */
export const RECORD_REQUEST = `${NOW}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 0`;

/** Pauses every instance for ARGV[1] ms, unless a longer pause runs already. KEYS: pause. */
export const PAUSE_ALL = `if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[1]))
end
return 0`;

/** Releases the token lock only if this instance still holds it. KEYS: lock. ARGV: owner. */
export const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
