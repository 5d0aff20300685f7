-- One wrk script for every scenario. Arguments after "--":
--   method, content type ("" for none), body ("" for none; "%d" in it becomes a random
--   number in 1..users, so logins spread over many accounts), users, cookie ("" for none).
-- done() prints one JSON line that bench/wrk.py parses.
local method, content_type, body, users, cookie, fixed

function init(args)
  method, content_type, body = args[1], args[2], args[3]
  users, cookie = tonumber(args[4]) or 1, args[5]
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
  -- A request without "%d" is formatted once, so wrk spends no CPU the server could use.
  if not body:find("%%d") then fixed = build() end
end

function build()
  local headers = {}
  if content_type ~= "" then headers["Content-Type"] = content_type end
  if cookie ~= "" then headers["Cookie"] = cookie end
  local payload = nil
  if body ~= "" then payload = body:gsub("%%d", tostring(math.random(users))) end
  return wrk.format(method, nil, headers, payload)
end

function request()
  return fixed or build()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
