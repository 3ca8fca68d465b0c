package ai.powerpost.gateway.usage;

import org.springframework.data.redis.core.script.RedisScript;

/** The Lua scripts of usage per key; their keys are named in {@link UsageKeys}. */
final class UsageScripts {

    private UsageScripts() {}

    /**
     * Adds one flush's counts of one key and one hour, and answers what the rules need.
     * <p>KEYS: 1 the hour's hash, 2 the day's hash, 3 the day's networks, 4 the hours summary,
     * 5 the network-days summary, 6 the networks' last-seen times, 7 the key's meta (all
     * {@code {<keyId>}}).
     * <p>ARGV: 1 hour (since the epoch), 2 day (since the epoch), 3 the hour hash's expiry, 4 the day
     * hashes' expiry, 5 the summaries' expiry (epoch ms), 6 the flush's first request (epoch ms),
     * 7 the spike minimum (the 168 hours before are read only when the hour reaches it, 0: never),
     * 8 hours kept, 9 days kept, 10 the oldest last-seen time kept (epoch ms); then a count and the
     * pairs route, requests; a count and the pairs status class, answers; a count and the quads
     * network, requests, first, last.
     * <p>Answers three lines: {@code hourTotal firstUse dayNetworks previousMax previousDays}
     * ({@code dayNetworks} 0 when this flush added no network to the day), the networks' last-seen
     * times before this flush (0 for none) in the order given, the 168 previous hours' requests
     * (oldest first; empty when not read).
     */
    static final RedisScript<String> RECORD = RedisScript.of("""
            local hour = tonumber(ARGV[1])
            local day = tonumber(ARGV[2])
            local i = 11
            local total = 0
            local routes = tonumber(ARGV[i]); i = i + 1
            for _ = 1, routes do
              local c = tonumber(ARGV[i + 1])
              redis.call('HINCRBY', KEYS[1], 'r:' .. ARGV[i], c)
              redis.call('HINCRBY', KEYS[2], 'r:' .. ARGV[i], c)
              total = total + c
              i = i + 2
            end
            redis.call('HINCRBY', KEYS[1], 'n', total)
            local classes = tonumber(ARGV[i]); i = i + 1
            for _ = 1, classes do
              redis.call('HINCRBY', KEYS[2], 's:' .. ARGV[i], tonumber(ARGV[i + 1]))
              i = i + 2
            end
            local nets = tonumber(ARGV[i]); i = i + 1
            local olds = {}
            local added = 0
            for _ = 1, nets do
              local cidr = ARGV[i]
              local c = tonumber(ARGV[i + 1])
              local f = tonumber(ARGV[i + 2])
              local l = tonumber(ARGV[i + 3])
              if redis.call('HINCRBY', KEYS[3], cidr, c) == c then added = added + 1 end
              local ff = tonumber(redis.call('HGET', KEYS[2], 'nf:' .. cidr) or '0')
              if ff == 0 or f < ff then redis.call('HSET', KEYS[2], 'nf:' .. cidr, ARGV[i + 2]) end
              local ll = tonumber(redis.call('HGET', KEYS[2], 'nl:' .. cidr) or '0')
              if l > ll then redis.call('HSET', KEYS[2], 'nl:' .. cidr, ARGV[i + 3]) end
              local seen = redis.call('HGET', KEYS[6], cidr) or '0'
              olds[#olds + 1] = seen
              if l > tonumber(seen) then redis.call('HSET', KEYS[6], cidr, ARGV[i + 3]) end
              i = i + 4
            end
            local hourTotal = redis.call('HINCRBY', KEYS[4], ARGV[1], total)
            if hourTotal == total then
              for _, field in ipairs(redis.call('HKEYS', KEYS[4])) do
                if tonumber(field) <= hour - tonumber(ARGV[8]) then redis.call('HDEL', KEYS[4], field) end
              end
            end
            local dayNetworks = 0
            local previousMax = 0
            local previousDays = 0
            if added > 0 then
              dayNetworks = redis.call('HINCRBY', KEYS[5], ARGV[2], added)
              local all = redis.call('HGETALL', KEYS[5])
              for j = 1, #all, 2 do
                local d = tonumber(all[j])
                if d <= day - tonumber(ARGV[9]) then
                  redis.call('HDEL', KEYS[5], all[j])
                elseif d ~= day then
                  previousDays = previousDays + 1
                  previousMax = math.max(previousMax, tonumber(all[j + 1]))
                end
              end
            end
            local first = redis.call('HGET', KEYS[7], 'first')
            if not first or tonumber(ARGV[6]) < tonumber(first) then
              redis.call('HSET', KEYS[7], 'first', ARGV[6])
              first = ARGV[6]
            end
            if redis.call('HGET', KEYS[7], 'pruned') ~= ARGV[2] then
              redis.call('HSET', KEYS[7], 'pruned', ARGV[2])
              local all = redis.call('HGETALL', KEYS[6])
              for j = 1, #all, 2 do
                if tonumber(all[j + 1]) < tonumber(ARGV[10]) then redis.call('HDEL', KEYS[6], all[j]) end
              end
            end
            redis.call('PEXPIREAT', KEYS[1], ARGV[3])
            redis.call('PEXPIREAT', KEYS[2], ARGV[4])
            if nets > 0 then redis.call('PEXPIREAT', KEYS[3], ARGV[4]) end
            for k = 4, 7 do
              if redis.call('EXISTS', KEYS[k]) == 1 then redis.call('PEXPIREAT', KEYS[k], ARGV[5]) end
            end
            local history = {}
            local minimum = tonumber(ARGV[7])
            if minimum > 0 and hourTotal >= minimum then
              local fields = {}
              for h = hour - 168, hour - 1 do fields[#fields + 1] = tostring(h) end
              for _, v in ipairs(redis.call('HMGET', KEYS[4], unpack(fields))) do
                history[#history + 1] = v or '0'
              end
            end
            return hourTotal .. ' ' .. first .. ' ' .. dayNetworks .. ' ' .. previousMax .. ' ' .. previousDays
              .. '\\n' .. table.concat(olds, ' ') .. '\\n' .. table.concat(history, ' ')
            """, String.class);

    /** A key's first recorded use: KEYS[1] its usage meta; answers epoch ms or an empty string. */
    static final RedisScript<String> FIRST_USE = RedisScript.of("""
            return redis.call('HGET', KEYS[1], 'first') or ''
            """, String.class);

    /**
     * Stores a finding once: KEYS 1 the findings, 2 its deduplication marker; ARGV 1 its time (epoch
     * ms), 2 the entry, 3 the retention (ms), 4 the oldest time kept. Answers 1 when stored, 0 when
     * it was stored before (by this replica or another).
     */
    static final RedisScript<Long> APPEND_FINDING = RedisScript.of("""
            if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then return 0 end
            redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])
            return 1
            """, Long.class);

    /** Adds a stored finding to its key's list: KEYS[1] the key's findings; ARGV as {@link #APPEND_FINDING}'s. */
    static final RedisScript<Long> APPEND_KEY_FINDING = RedisScript.of("""
            redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """, Long.class);
}
