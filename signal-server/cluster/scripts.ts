/**
 * The Redis side of the cluster: key names and the Lua scripts that keep each step atomic.
 *
 * Keys (every name starts with the configured prefix, default "p2p-signal:"):
 *   peer:<nodeId>   the claim token of the connection that holds the id, with a lease (PX)
 *   peers           sorted set of ids, scored by when their lease ends (random bootstrap samples)
 *   inst:<instance> an instance's own lease; its per-address counts are ignored once it is gone
 *   ip:<address>    hash instance -> connections from that address there, with a lease
 * Channels:
 *   i:<instance>    relays (channel-per-instance mode: a turn's relays to one instance in one
 *                   message, newline-separated), errors and displacements for an instance
 *   n:<nodeId>      relays for one id (sharded channel-per-id mode, SSUBSCRIBE/SPUBLISH)
 *
 * Times come from the Redis server's clock (TIME), so instances' clocks never need to agree.
 * Scripts name keys they build from the prefix, which a standalone Redis or Valkey (with replicas
 * or Sentinel) allows; Redis Cluster does not, and is not supported.
 */

/** Milliseconds on the Redis server's clock. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Append up to k random live ids other than `self` from the sorted set `z` to `out`. */
const SAMPLE = `local function sample(z, self, k, now, out)
  if k <= 0 then return end
  local got = redis.call('ZRANDMEMBER', z, k * 2 + 2, 'WITHSCORES')
  local n = 0
  for i = 1, #got, 2 do
    if n < k and got[i] ~= self and tonumber(got[i + 1]) > now then
      out[#out + 1] = got[i]
      n = n + 1
    end
  end
end`;

export const SCRIPTS = {
  /**
   * KEYS: peer:<id>, peers. ARGV: id, claim, leaseMs, k.
   * Claim the id (the newest claim wins) and return {previous claim or '', up to k sample ids}.
   */
  claim: {
    numberOfKeys: 2,
    lua: `${NOW}
${SAMPLE}
local old = redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3], 'GET')
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
local out = { old or '' }
sample(KEYS[2], ARGV[1], tonumber(ARGV[4]), now, out)
return out`,
  },
  /** KEYS: peer:<id>, peers. ARGV: id, claim. Drop the id if `claim` still holds it. */
  release: {
    numberOfKeys: 2,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[2] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
return 0`,
  },
  /** KEYS: peers. ARGV: exclude, k. Up to k random live ids. */
  sample: {
    numberOfKeys: 1,
    lua: `${NOW}
${SAMPLE}
local out = {}
sample(KEYS[1], ARGV[1], tonumber(ARGV[2]), now, out)
return out`,
  },
  /**
   * KEYS: peers, inst:<self>. ARGV: prefix, leaseMs, then id, claim pairs.
   * The heartbeat and the re-sync: renew this instance's lease and each id's lease, re-claiming an
   * id whose key expired; returns the ids another connection claimed meanwhile (they were displaced).
   */
  refresh: {
    numberOfKeys: 2,
    lua: `${NOW}
local lease = tonumber(ARGV[2])
redis.call('SET', KEYS[2], '1', 'PX', lease)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local lost = {}
for i = 3, #ARGV, 2 do
  local key = ARGV[1] .. 'peer:' .. ARGV[i]
  local cur = redis.call('GET', key)
  if not cur or cur == ARGV[i + 1] then
    redis.call('SET', key, ARGV[i + 1], 'PX', lease)
    redis.call('ZADD', KEYS[1], now + lease, ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost`,
  },
  /**
   * KEYS: ip:<address>. ARGV: self, count, cap, inst-lease prefix, leaseMs.
   * Admit one more connection from an address if every live instance's count plus ours stays
   * within the cap; fields of instances whose lease ended are dropped on the way. 1 = admitted.
   */
  admitIp: {
    numberOfKeys: 1,
    lua: `local f = redis.call('HGETALL', KEYS[1])
local sum = 0
for i = 1, #f, 2 do
  if f[i] ~= ARGV[1] then
    if redis.call('EXISTS', ARGV[4] .. f[i]) == 1 then sum = sum + tonumber(f[i + 1])
    else redis.call('HDEL', KEYS[1], f[i]) end
  end
end
if sum + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`,
  },
  /** KEYS: none. ARGV: prefix, self, leaseMs, then address, count pairs. This instance's counts. */
  ipSet: {
    numberOfKeys: 0,
    lua: `for i = 4, #ARGV, 2 do
  local key = ARGV[1] .. 'ip:' .. ARGV[i]
  if tonumber(ARGV[i + 1]) > 0 then
    redis.call('HSET', key, ARGV[2], ARGV[i + 1])
    redis.call('PEXPIRE', key, ARGV[3])
  else
    redis.call('HDEL', key, ARGV[2])
  end
end
return 1`,
  },
  /**
   * KEYS: none. ARGV: prefix, then relay messages (wire.ts "R", the target id at characters 2..41).
   * Everything one instance relays in one event-loop turn: each message goes to its target's owner,
   * one PUBLISH per owner with the messages joined by newlines (JSON frames hold none). Returns,
   * per message, 1 if an instance received it, 0 if the id has no owner or its owner is gone.
   */
  relayBatch: {
    numberOfKeys: 0,
    lua: `local groups, owners, out = {}, {}, {}
for i = 2, #ARGV do
  local owner = redis.call('GET', ARGV[1] .. 'peer:' .. string.sub(ARGV[i], 2, 41))
  if owner then
    local inst = string.sub(owner, 1, 16)
    local g = groups[inst]
    if not g then g = {}; groups[inst] = g end
    g[#g + 1] = ARGV[i]
    owners[i - 1] = inst
  else
    owners[i - 1] = false
  end
end
local reached = {}
for inst, msgs in pairs(groups) do
  reached[inst] = redis.call('PUBLISH', ARGV[1] .. 'i:' .. inst, table.concat(msgs, string.char(10)))
end
for i = 1, #ARGV - 1 do
  local inst = owners[i]
  out[i] = (inst and reached[inst] > 0) and 1 or 0
end
return out`,
  },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Key and channel names under one prefix. */
export class Keys {
  constructor(readonly prefix: string) {}
  peer(id: string): string {
    return `${this.prefix}peer:${id}`;
  }
  get peers(): string {
    return `${this.prefix}peers`;
  }
  inst(instance: string): string {
    return `${this.prefix}inst:${instance}`;
  }
  ip(address: string): string {
    return `${this.prefix}ip:${address}`;
  }
  get instChannelPrefix(): string {
    return `${this.prefix}i:`;
  }
  instChannel(instance: string): string {
    return `${this.prefix}i:${instance}`;
  }
  idChannel(id: string): string {
    return `${this.prefix}n:${id}`;
  }
}
