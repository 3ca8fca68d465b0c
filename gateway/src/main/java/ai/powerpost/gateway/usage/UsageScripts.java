package ai.powerpost.gateway.usage;

import org.springframework.data.redis.core.script.RedisScript;

/** The Lua scripts of usage per key; their keys are named in {@link UsageKeys}. */
final class UsageScripts {

    private UsageScripts() {}

    /** Keys of one entry of {@link #RECORD}. */
    static final int RECORD_KEYS = 7;

    /**
     * Adds one flush's counts of several keys and hours (one entry per key and hour), and answers,
     * per entry, what the rules need. Every entry's names share its key's hash tag; against a
     * cluster all entries of one call share a slot (usage.BatchGroups).
     * <p>KEYS, per entry: 1 the hour's hash, 2 the day's hash, 3 the day's networks, 4 the hours
     * summary, 5 the network-days summary, 6 the networks' last-seen times, 7 the key's meta (all
     * {@code {<keyId>}}).
     * <p>ARGV, per entry: 1 hour (since the epoch), 2 day (since the epoch), 3 the hour hash's
     * expiry, 4 the day hashes' expiry, 5 the summaries' expiry (epoch ms), 6 the flush's first
     * request (epoch ms), 7 the spike minimum (the 168 hours before are read only when the hour
     * reaches it, 0: never), 8 hours kept, 9 days kept, 10 the oldest last-seen time kept (epoch
     * ms); then a count and the pairs route, requests; a count and the pairs status class,
     * answers; a count and the quads network, requests, first, last.
     * <p>Commands per entry, steady (the hour, its day and its networks known): a {@code HINCRBY}
     * per route and one for the hour's total; one {@code HMGET} and one {@code HSET} of the day's
     * hash whatever the number of routes, classes and networks; a {@code HINCRBY} per network of
     * the day's networks; at most one {@code HSET} of the networks' last-seen times (read, with one
     * {@code HMGET}, only for networks new to the day: the others' last-seen time is the day's
     * {@code nl:}, written with it); one {@code HINCRBY} of the hours summary; one {@code HMGET} of
     * the meta: eight commands for a key with one route and one network. Expiries are
     * set when the hour's hash is created (and the day's networks' when a network is new to the
     * day), not on every write; pruning runs once an hour (hours) or a day (networks).
     * <p>Answers, per entry, three lines: {@code hourTotal firstUse dayNetworks previousMax previousDays}
     * ({@code dayNetworks} 0 when this flush added no network to the day), the networks' last-seen
     * times before this flush (0 for none) in the order given, the 168 previous hours' requests
     * (oldest first; empty when not read); entries separated by {@code |}. An entry Redis refused
     * (e.g. a name that holds no hash) answers {@code !}: its writes may be partly done, and are
     * not retried (counts are never written twice); the other entries of the call are unaffected.
     */
    static final RedisScript<String> RECORD = RedisScript.of("""
            -- HMGET and HSET of many fields in parts: unpack takes a few thousand values at most
            local function hmget(key, names)
              local out = {}
              for s = 1, #names, 1000 do
                local part = redis.call('HMGET', key, unpack(names, s, math.min(#names, s + 999)))
                for j = 1, #part do out[s + j - 1] = part[j] end
              end
              return out
            end
            local function hset(key, values)
              for s = 1, #values, 1000 do
                redis.call('HSET', key, unpack(values, s, math.min(#values, s + 999)))
              end
            end
            local function record(e, i)
              local h, d, dn, hs, nd, ns, meta = KEYS[7*e+1], KEYS[7*e+2], KEYS[7*e+3], KEYS[7*e+4], KEYS[7*e+5], KEYS[7*e+6], KEYS[7*e+7]
              local hourField, dayField = ARGV[i], ARGV[i + 1]
              local hour = tonumber(hourField)
              local day = tonumber(dayField)
              local hourExpiry, dayExpiry, sumExpiry = ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
              local flushFirst = ARGV[i + 5]
              local minimum = tonumber(ARGV[i + 6])
              local hoursKept, daysKept, oldestSeen = tonumber(ARGV[i + 7]), tonumber(ARGV[i + 8]), tonumber(ARGV[i + 9])
              i = i + 10
              local fields, adds = {}, {}
              local total = 0
              local routes = tonumber(ARGV[i]); i = i + 1
              for _ = 1, routes do
                local c = tonumber(ARGV[i + 1])
                redis.call('HINCRBY', h, 'r:' .. ARGV[i], c)
                fields[#fields + 1] = 'r:' .. ARGV[i]; adds[#adds + 1] = c
                total = total + c
                i = i + 2
              end
              local created = redis.call('HINCRBY', h, 'n', total) == total
              local classes = tonumber(ARGV[i]); i = i + 1
              for _ = 1, classes do
                fields[#fields + 1] = 's:' .. ARGV[i]; adds[#adds + 1] = tonumber(ARGV[i + 1])
                i = i + 2
              end
              local counted = #fields
              local nets = tonumber(ARGV[i]); i = i + 1
              local cidrs, lasts = {}, {}
              local added = 0
              for n = 1, nets do
                local cidr = ARGV[i]
                local c = tonumber(ARGV[i + 1])
                cidrs[n] = cidr; lasts[n] = ARGV[i + 3]
                if redis.call('HINCRBY', dn, cidr, c) == c then added = added + 1 end
                fields[#fields + 1] = 'nf:' .. cidr; adds[#adds + 1] = ARGV[i + 2]
                fields[#fields + 1] = 'nl:' .. cidr; adds[#adds + 1] = ARGV[i + 3]
                i = i + 4
              end
              local stored = hmget(d, fields)
              local set = {}
              for f = 1, #fields do
                local old = tonumber(stored[f] or '0') or 0
                local value = tonumber(adds[f])
                if f <= counted then
                  set[#set + 1] = fields[f]; set[#set + 1] = tostring(old + value)
                elseif (f - counted) % 2 == 1 then
                  if old == 0 or value < old then set[#set + 1] = fields[f]; set[#set + 1] = adds[f] end
                elseif value > old then
                  set[#set + 1] = fields[f]; set[#set + 1] = adds[f]
                end
              end
              if #set > 0 then hset(d, set) end
              local olds = {}
              if nets > 0 then
                -- a network seen today already: its last-seen time is the day's (both are written together);
                -- only the networks new to the day are read from the last-seen times
                local unknown = {}
                for n = 1, nets do
                  local today = stored[counted + 2 * n]
                  if today then olds[n] = today else unknown[#unknown + 1] = n end
                end
                if #unknown > 0 then
                  local names = {}
                  for u = 1, #unknown do names[u] = cidrs[unknown[u]] end
                  local seen = hmget(ns, names)
                  for u = 1, #unknown do olds[unknown[u]] = seen[u] or '0' end
                end
                local newer = {}
                for n = 1, nets do
                  if tonumber(lasts[n]) > tonumber(olds[n]) then
                    newer[#newer + 1] = cidrs[n]; newer[#newer + 1] = lasts[n]
                  end
                end
                if #newer > 0 then hset(ns, newer) end
              end
              local hourTotal = redis.call('HINCRBY', hs, hourField, total)
              if hourTotal == total then
                for _, field in ipairs(redis.call('HKEYS', hs)) do
                  if tonumber(field) <= hour - hoursKept then redis.call('HDEL', hs, field) end
                end
              end
              local dayNetworks, previousMax, previousDays = 0, 0, 0
              if added > 0 then
                redis.call('PEXPIREAT', dn, dayExpiry)
                dayNetworks = redis.call('HINCRBY', nd, dayField, added)
                redis.call('PEXPIREAT', nd, sumExpiry)
                local all = redis.call('HGETALL', nd)
                for j = 1, #all, 2 do
                  local dd = tonumber(all[j])
                  if dd <= day - daysKept then
                    redis.call('HDEL', nd, all[j])
                  elseif dd ~= day then
                    previousDays = previousDays + 1
                    previousMax = math.max(previousMax, tonumber(all[j + 1]))
                  end
                end
              end
              local m = redis.call('HMGET', meta, 'first', 'pruned')
              local first = m[1]
              if not first or tonumber(flushFirst) < tonumber(first) then
                redis.call('HSET', meta, 'first', flushFirst)
                first = flushFirst
              end
              if m[2] ~= dayField then
                redis.call('HSET', meta, 'pruned', dayField)
                local all = redis.call('HGETALL', ns)
                for j = 1, #all, 2 do
                  if tonumber(all[j + 1]) < oldestSeen then redis.call('HDEL', ns, all[j]) end
                end
              end
              if created then
                redis.call('PEXPIREAT', h, hourExpiry)
                redis.call('PEXPIREAT', d, dayExpiry)
                if nets > 0 then redis.call('PEXPIREAT', dn, dayExpiry) end
                redis.call('PEXPIREAT', hs, sumExpiry)
                redis.call('PEXPIREAT', nd, sumExpiry)
                redis.call('PEXPIREAT', ns, sumExpiry)
                redis.call('PEXPIREAT', meta, sumExpiry)
              end
              local history = {}
              if minimum > 0 and hourTotal >= minimum then
                local wanted = {}
                for hh = hour - 168, hour - 1 do wanted[#wanted + 1] = tostring(hh) end
                for _, v in ipairs(redis.call('HMGET', hs, unpack(wanted))) do
                  history[#history + 1] = v or '0'
                end
              end
              return hourTotal .. ' ' .. first .. ' ' .. dayNetworks .. ' ' .. previousMax .. ' ' .. previousDays
                .. '\\n' .. table.concat(olds, ' ') .. '\\n' .. table.concat(history, ' ')
            end
            -- the arguments one entry takes
            local function span(i)
              local j = i + 10
              j = j + 1 + 2 * tonumber(ARGV[j])
              j = j + 1 + 2 * tonumber(ARGV[j])
              return j + 1 + 4 * tonumber(ARGV[j])
            end
            local replies = {}
            local i = 1
            for e = 0, #KEYS / 7 - 1 do
              local ok, reply = pcall(record, e, i)
              replies[e + 1] = ok and reply or '!'
              i = span(i)
            end
            return table.concat(replies, '|')
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
