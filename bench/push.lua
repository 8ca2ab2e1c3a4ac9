-- wrk script: unique, correctly signed `subscribe` pushes to /wechat/demo with a current timestamp.
--
-- WeChat's signature covers only [token, timestamp, nonce] (sorted, joined, SHA-1), not the body,
-- so each thread signs once per second (pure-Lua SHA-1 below) and every request still gets its
-- own FromUserName (bench-<run>-<thread>-<n>) and the current CreateTime.
--
-- Environment:
--   BENCH_RUN      run id, part of every FromUserName (default: time-based)
--   BENCH_OUT      folder for ok-<run>-<thread>.txt: the openid of every 200 answer (optional)
--   BENCH_RATE     target total req/s, paced per thread with wrk's delay() (0/unset: as fast as possible)
--   BENCH_THREADS  wrk's -t (needed with BENCH_RATE)
--   BENCH_BODY     "wechat" (default) or "plain" (the ceiling answers "success": no openid to extract)
-- done() prints req/s, latency p50/p90/p99/p99.9/max and answers by status, plus one RESULT line.

local bit = require("bit")
local ffi = require("ffi")
local band, bor, bxor, bnot, rol, lshift, rshift, tobit, tohex =
  bit.band, bit.bor, bit.bxor, bit.bnot, bit.rol, bit.lshift, bit.rshift, bit.tobit, bit.tohex

-- SHA-1 (FIPS 180-4) on LuaJIT's 32-bit bit operations; returns 40 lowercase hex digits.
local function sha1(msg)
  local h0, h1, h2, h3, h4 =
    tobit(0x67452301), tobit(0xEFCDAB89), tobit(0x98BADCFE), tobit(0x10325476), tobit(0xC3D2E1F0)
  local bits = #msg * 8
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64)
    .. string.char(0, 0, 0, 0, band(rshift(bits, 24), 255), band(rshift(bits, 16), 255),
                   band(rshift(bits, 8), 255), band(bits, 255))
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
      w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for i = 16, 79 do
      w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
    end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 0, 79 do
      local f, k
      if i < 20 then
        f, k = bor(band(b, c), band(bnot(b), d)), 0x5A827999
      elseif i < 40 then
        f, k = bxor(b, c, d), 0x6ED9EBA1
      elseif i < 60 then
        f, k = bor(band(b, c), band(b, d), band(c, d)), 0x8F1BBCDC
      else
        f, k = bxor(b, c, d), 0xCA62C1D6
      end
      a, b, c, d, e = tobit(rol(a, 5) + f + e + k + w[i]), a, rol(b, 30), c, d
    end
    h0, h1, h2, h3, h4 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d), tobit(h4 + e)
  end
  return tohex(h0) .. tohex(h1) .. tohex(h2) .. tohex(h3) .. tohex(h4)
end

local function wechat_signature(...)
  local parts = { ... }
  table.sort(parts) -- byte order (wrk runs with the C locale), like Java's String order for ASCII
  return sha1(table.concat(parts))
end

ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local tspec = ffi.new("bench_timespec")
local function now_ms() -- CLOCK_MONOTONIC
  ffi.C.clock_gettime(1, tspec)
  return tonumber(tspec.tv_sec) * 1000 + tonumber(tspec.tv_nsec) / 1e6
end

local TOKEN = "bench-token"   -- the account bench/common.sh gives the hub
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local out = os.getenv("BENCH_OUT")
local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
local plain = os.getenv("BENCH_BODY") == "plain"

-- main state: remember the threads, give each an id
local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

-- thread state
local counter, signed_ts, signature, nonce, okfile = 0, nil, nil, nil, nil
c200, c503, cother = 0, 0, 0

function init(args)
  nonce = tostring(100000 + id * 7919)
  if out and out ~= "" and not plain then
    okfile = io.open(out .. "/ok-" .. run .. "-" .. id .. ".txt", "w")
    okfile:setvbuf("line")
  end
end

function request()
  local ts = tostring(os.time())
  counter = counter + 1
  -- one nonce per push, as WeChat does: the hub accepts a signature for one body only
  nonce = tostring(id) .. string.format("%09d", counter)
  signed_ts, signature = ts, wechat_signature(TOKEN, ts, nonce)
  local openid = "bench-" .. run .. "-" .. id .. "-" .. counter
  local body = "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><FromUserName><![CDATA[" .. openid
    .. "]]></FromUserName><CreateTime>" .. ts
    .. "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>"
  local path = "/wechat/demo?signature=" .. signature .. "&timestamp=" .. ts .. "&nonce=" .. nonce .. "&openid=" .. openid
  return wrk.format("POST", path, { ["Content-Type"] = "text/xml" }, body)
end

function response(status, headers, body)
  if status == 200 then
    c200 = c200 + 1
    if okfile then
      local openid = body:match("<ToUserName><!%[CDATA%[(.-)%]%]>")
      okfile:write((openid or "?"), "\n")
    end
  elseif status == 503 then
    c503 = c503 + 1
  else
    cother = cother + 1
  end
end

-- Pacing (BENCH_RATE): each thread reserves send slots `interval` ms apart; when the server falls
-- behind, the slot is "now" (closed loop: the rate drops instead of queueing without bound).
if rate > 0 then
  local interval = nthreads * 1000.0 / rate
  local slot = 0
  function delay()
    local now = now_ms()
    slot = math.max(slot + interval, now)
    return math.floor(slot - now)
  end
end

function done(summary, latency, requests)
  local s200, s503, sother = 0, 0, 0
  for _, t in ipairs(threads) do
    s200 = s200 + (t:get("c200") or 0)
    s503 = s503 + (t:get("c503") or 0)
    sother = sother + (t:get("cother") or 0)
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  local function p(q) return latency:percentile(q) / 1000.0 end
  io.write(string.format("requests %d in %.1f s: %.0f req/s\n", summary.requests, secs, summary.requests / secs))
  io.write(string.format("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
    p(50), p(90), p(99), p(99.9), latency.max / 1000.0))
  io.write(string.format("answers: 200=%d 503=%d other=%d; socket errors connect=%d read=%d write=%d timeout=%d\n",
    s200, s503, sother, e.connect, e.read, e.write, e.timeout))
  io.write(string.format(
    "RESULT rps=%.1f p50=%.2f p90=%.2f p99=%.2f p999=%.2f max=%.2f n200=%d n503=%d nother=%d errors=%d requests=%d\n",
    summary.requests / secs, p(50), p(90), p(99), p(99.9), latency.max / 1000.0, s200, s503, sother,
    e.connect + e.read + e.write + e.timeout, summary.requests))
end

-- self-check of the SHA-1 (FIPS 180-2 test vectors, and a signature computed with sha1sum) when loaded
assert(sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
assert(sha1("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
assert(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
assert(wechat_signature("demo-token", "1764201600", "100042") == "422a8665f6fa65a6b571780c9d7e3635a83710e6")
