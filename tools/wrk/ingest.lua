-- wrk script: POST /api/v1/calls with a fresh call id per request (AFTERCALL_BENCH_KEY
-- holds the API key).
local key = os.getenv("AFTERCALL_BENCH_KEY")
local thread_id = 0
local counter = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"call_id":"bench-%s-%d-%d","agent_id":"desk","end_reason":"customer_hangup","transcript":[{"role":"agent","text":"Hello, how can I help?"},{"role":"user","text":"Please call me back tomorrow."}]}',
    tostring(tid), counter, math.random(1, 1000000000))
  return wrk.format("POST", "/api/v1/calls", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end
