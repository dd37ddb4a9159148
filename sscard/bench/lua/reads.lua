-- Cycles through $BENCH_PLAN/reads.txt ("path<TAB>cookie" a line): each thread starts at its
-- own line. Anything but 200 counts as an error.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local requests = {}
local paths = {}
local n = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_PLAN") .. "/reads.txt") do
    local path, cookie = line:match("^([^\t]*)\t(.*)$")
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = cookie end
    table.insert(requests, wrk.format("GET", path, headers))
    table.insert(paths, path)
  end
  n = (id or 1) % #requests
end

function request()
  n = n % #requests + 1
  return requests[n]
end

function response(status, headers, body)
  count(status == 200, "read", tostring(status))
end
