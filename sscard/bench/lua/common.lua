-- Shared by reads.lua and replay.lua (loaded with dofile): per-thread counters and the
-- summary written to $BENCH_PLAN/summary.json when the run ends.
threads = {}
good, unexpected, submitted = 0, 0, 0
first_error = ""

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function count(ok, tag, what)
  if ok then
    good = good + 1
    if tag == "submit" then submitted = submitted + 1 end
  else
    unexpected = unexpected + 1
    if first_error == "" then first_error = what end
  end
end

function done(summary, latency, requests)
  local g, u, s, first = 0, 0, 0, ""
  local locations = io.open(os.getenv("BENCH_PLAN") .. "/locations.txt", "w")
  for _, t in ipairs(threads) do
    g = g + (t:get("good") or 0)
    u = u + (t:get("unexpected") or 0)
    s = s + (t:get("submitted") or 0)
    local e = t:get("first_error") or ""
    if first == "" then first = e end
    locations:write(t:get("receipts") or "")
  end
  locations:close()
  local e = summary.errors
  local out = io.open(os.getenv("BENCH_PLAN") .. "/summary.json", "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "good": %d, "unexpected": %d, "submitted": %d, ' ..
    '"first_error": "%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    g, u, s, first:gsub('"', "'")))
  out:close()
end
