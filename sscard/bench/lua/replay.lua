-- Sends $BENCH_PLAN/plan_<thread>.txt in order (run with one connection per thread), checks
-- each answer's status and Location against the plan, and stops the thread when the plan is
-- spent. Plan format: "REQ method path expect location tag nheaders bodylen", the headers,
-- the body, a newline.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local plan = {}
local sent, answered = 0, 0
local spare = nil
-- wrk calls request() once on the first thread to check the script before the run starts:
-- that call must not consume the plan
local checked = false
receipts = ""

function init(args)
  local f = assert(io.open(os.getenv("BENCH_PLAN") .. "/plan_" .. id .. ".txt", "rb"))
  local data = f:read("*a")
  f:close()
  local pos = 1
  while pos < #data do
    local e = data:find("\n", pos, true)
    local method, path, expect, loc, tag, nh, bl =
      data:sub(pos, e - 1):match("^REQ (%S+) (%S+) (%d+) (%S+) (%S+) (%d+) (%d+)$")
    pos = e + 1
    local headers = {}
    for _ = 1, tonumber(nh) do
      local e2 = data:find("\n", pos, true)
      local k, v = data:sub(pos, e2 - 1):match("^([^:]+): (.*)$")
      headers[k] = v
      pos = e2 + 1
    end
    local body = data:sub(pos, pos + tonumber(bl) - 1)
    pos = pos + tonumber(bl) + 1
    table.insert(plan, {
      req = wrk.format(method, path, headers, body),
      expect = tonumber(expect), loc = loc, tag = tag, path = path,
    })
  end
  spare = wrk.format("GET", "/bench/baseline", {})
  checked = id ~= 1
end

function request()
  if not checked then
    checked = true
    return spare
  end
  if sent >= #plan then
    wrk.thread:stop()
    return spare
  end
  sent = sent + 1
  return plan[sent].req
end

function response(status, headers, body)
  answered = answered + 1
  local p = plan[answered]
  if not p then return end
  local ok = status == p.expect
  if ok and p.loc ~= "-" then
    local location = headers["Location"] or headers["location"] or ""
    ok = location:sub(1, #p.loc) == p.loc
  end
  count(ok, p.tag, status .. " " .. p.path)
  if ok and p.tag == "submit" and p.loc ~= "-" then
    receipts = receipts .. (headers["Location"] or headers["location"]) .. "\n"
  end
end
