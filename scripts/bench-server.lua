-- wrk script for scripts/bench-server.sh: rotates over QUERIES (the query string of
-- /api/search after `?`, unencoded), one after the other, each thread starting at another place
-- in the list; at the end prints one machine-readable line that bench-server.sh parses.
--
-- The rotation mixes rare and frequent terms of 1-8 characters (the 28 default terms of
-- `speechdex-bench run` appear here), OR and NOT queries, year/region filters, date order and a
-- second page, so no single cheap or cached query dominates the figures.

local QUERIES = {
  "q=新质生产力",
  "q=改革开放",
  "q=GDP",
  "q=5G",
  "q=高质量发展",
  "q=经济",
  "q=发展",
  "q=人民公社",
  "q=乡村振兴",
  "q=供给侧结构性改革",
  "q=一带一路",
  "q=科技创新",
  "q=共同富裕",
  "q=人工智能",
  "q=社会主义市场经济",
  "q=国内生产总值",
  "q=营商环境",
  "q=党",
  "q=碳达峰 | 碳中和",
  "q=脱贫攻坚 OR 乡村振兴",
  "q=数字经济 | 人工智能 | 5G",
  "q=新质生产力 科技创新",
  "q=粮食 -农业",
  "q=生态文明 建设",
  "q=高质量发展&from=2018&to=2024",
  "q=农业&region=河南",
  "q=五年计划&year=1958",
  "q=稳中求进&sort=date",
  "q=新发展理念&offset=10",
  "q=共同富裕&sort=hits",
}

local function encode(s)
  return (s:gsub("[^%w%-_%.~=&]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local paths = {}
for i, q in ipairs(QUERIES) do
  paths[i] = "/api/search?" .. encode(q) .. "&limit=10"
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local i = nil

function request()
  if i == nil then
    -- Threads start at different places in the rotation.
    i = (id or 0) * 7
  end
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.0f "
      .. "connect=%d read=%d write=%d status=%d timeout=%d queries=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout, #paths))
end

-- For bench-server.sh --check: the list of paths, one a line.
if os.getenv("BENCH_LIST_PATHS") then
  for _, p in ipairs(paths) do io.write(p, "\n") end
  os.exit(0)
end
