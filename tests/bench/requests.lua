-- requests.lua — what wrk sends in run.sh's benchmarks 2–4, by BENCH_REQUEST:
--   card      GET /api/v1/officers/{random}/card?year=BENCH_YEAR
--   register  POST /api/v1/sessions/{random}/attendance, one random officer
--   get       GET BENCH_GET_PATH
--   qr        GET /api/v1/certificates/{random line of BENCH_LIST}/qr.png
--   verify    GET /api/v1/verify/{random line of BENCH_LIST} (a token; no
--             Authorization header: the route is public)
-- with BENCH_GET_TOKEN (default BENCH_TOKEN) as a Bearer token; random ids
-- from BENCH_OFFICER_MIN/MAX and BENCH_SESSION_MIN/MAX.
local kind = os.getenv("BENCH_REQUEST")
local token = os.getenv("BENCH_GET_TOKEN") or os.getenv("BENCH_TOKEN")
local year = os.getenv("BENCH_YEAR")
local path = os.getenv("BENCH_GET_PATH")
local olo = tonumber(os.getenv("BENCH_OFFICER_MIN"))
local ohi = tonumber(os.getenv("BENCH_OFFICER_MAX"))
local slo = tonumber(os.getenv("BENCH_SESSION_MIN"))
local shi = tonumber(os.getenv("BENCH_SESSION_MAX"))
local list_file = os.getenv("BENCH_LIST")
local list = {}
local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("seed", threads)
end

function init(args)
	math.randomseed(os.time() * 100 + seed)
	if list_file then
		for line in io.lines(list_file) do
			if line ~= "" then
				list[#list + 1] = line
			end
		end
	end
end

function request()
	local headers = {["Authorization"] = "Bearer " .. token}
	if kind == "card" then
		return wrk.format("GET", "/api/v1/officers/" .. math.random(olo, ohi) ..
		                  "/card?year=" .. year, headers)
	elseif kind == "register" then
		headers["Content-Type"] = "application/json"
		return wrk.format("POST", "/api/v1/sessions/" .. math.random(slo, shi) .. "/attendance",
		                  headers, '{"officers": [{"officer_id": ' .. math.random(olo, ohi) .. '}]}')
	elseif kind == "qr" then
		return wrk.format("GET", "/api/v1/certificates/" .. list[math.random(1, #list)] ..
		                  "/qr.png", headers)
	elseif kind == "verify" then
		return wrk.format("GET", "/api/v1/verify/" .. list[math.random(1, #list)])
	end
	return wrk.format("GET", path, headers)
end
