#!/bin/bash
# The provincial-scale benchmark suite (issue 9; README.md here): loads a scale
# into tcardd on a throwaway data dir, measures each figure against its limit
# measured in the same run, alternately, and prints one table of medians.
# Usage: [BUILD=build-dir] [BENCH_REPS=N] [BENCH_SECONDS=S] tests/bench/run.sh small|city|province
#   BUILD          build dir (default build-bench; built RelWithDebInfo when missing)
#   BENCH_REPS     runs of each pair (default 3); BENCH_SECONDS per run (default 5)
#   BENCH_CLIENTS  concurrency of benchmarks 2 and 3 (default 4 = tcardd's workers)
#   BENCH_KEEP=1   keep the data dir (tcardd is stopped either way)
set -euo pipefail

scale=${1:-}
case $scale in
small | city | province) ;;
*)
	echo "usage: tests/bench/run.sh small|city|province" >&2
	exit 64
	;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/tests/bench
build=${BUILD:-build-bench}
case $build in /*) ;; *) build=$root/$build ;; esac
reps=${BENCH_REPS:-3}
seconds=${BENCH_SECONDS:-5}
clients=${BENCH_CLIENTS:-4}
workers=4
started=$(date +%s)

for tool in wrk pgbench psql python3 curl; do
	command -v "$tool" >/dev/null || {
		echo "run.sh: $tool is missing (deploy/packages.sh installs it)" >&2
		exit 69
	}
done
if [[ ! -x $build/tests/bench/bench_province_load || ! -x $build/tests/bench/bench_mhd_min ||
	! -x $build/tests/bench/bench_qr_min ]]; then
	[[ -f $build/CMakeCache.txt ]] ||
		cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCARD_SANITIZE=OFF >/dev/null
fi
cmake --build "$build" -j2 --target bench_province_load bench_mhd_min bench_import \
	bench_qr_min >/dev/null

tmp=$(mktemp -d)
mhd_pid=
# Set by bench_province_load's env file (sourced below).
BENCH_PID=
BENCH_DATA_DIR=
BENCH_T_GEN=
BENCH_T_LOAD=
BENCH_T_REFRESH=
BENCH_OFFICER_MIN=
BENCH_OFFICER_MAX=
BENCH_SESSION_MIN=
BENCH_SESSION_MAX=
BENCH_YEAR=
BENCH_TOKEN_HASH=
BENCH_AUDITOR_TOKEN=
BENCH_AUDITOR_TOKEN_HASH=
BENCH_COUNTY_PATH=
BENCH_PROVINCE_ID=
BENCH_PROVINCE_PATH=

# Stops what this script started: the minimal server, tcardd (which stops its
# embedded PostgreSQL), then removes the data dir.
cleanup()
{
	local i
	if [[ -n $mhd_pid ]]; then
		kill "$mhd_pid" 2>/dev/null || true
		wait "$mhd_pid" 2>/dev/null || true
	fi
	if [[ -n $BENCH_PID ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
		kill -TERM "$BENCH_PID" 2>/dev/null || true
		for ((i = 0; i < 600; i++)); do
			kill -0 "$BENCH_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$BENCH_PID" 2>/dev/null && kill -KILL "$BENCH_PID" 2>/dev/null
	fi
	if [[ -n $BENCH_DATA_DIR && -d $BENCH_DATA_DIR && ${BENCH_KEEP:-0} != 1 ]]; then
		rm -rf "$BENCH_DATA_DIR"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

median()
{
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) print "nan"; else if (NR % 2) printf "%.1f\n", v[(NR + 1) / 2];
		else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# wrk ARGS…: prints requests per second; 0 and a warning when some replies were
# not 2xx or 3xx, or some requests failed.
wrk_rate()
{
	local out
	out=$(wrk "$@" 2>&1) || {
		echo "run.sh: wrk failed: $out" >&2
		echo 0
		return
	}
	if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
		echo "run.sh: wrk $*: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ')" >&2
	fi
	awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

# pgbench_rate SCRIPT [-D NAME=VALUE …]: transactions per second of SCRIPT at
# the same concurrency, as tcard_app with tcardd's session settings (later
# -D override the defaults; BENCH_STATEMENT_TIMEOUT the 5 s statement timeout).
pgbench_rate()
{
	local script=$1 out
	shift
	out=$(PGOPTIONS="-c role=tcard_app -c TimeZone=Asia/Shanghai -c statement_timeout=${BENCH_STATEMENT_TIMEOUT:-5s}" \
		pgbench -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$script" \
		-D olo="$BENCH_OFFICER_MIN" -D ohi="$BENCH_OFFICER_MAX" \
		-D slo="$BENCH_SESSION_MIN" -D shi="$BENCH_SESSION_MAX" \
		-D year="$BENCH_YEAR" -D hash="$BENCH_TOKEN_HASH" -D scope=all \
		-D pid="$BENCH_PROVINCE_ID" -D ppath="$BENCH_PROVINCE_PATH" "$@" \
		-h "$BENCH_PGHOST" -U postgres tcard 2>&1) || {
		echo "run.sh: pgbench $script failed: $(tail -3 <<<"$out")" >&2
		echo 0
		return
	}
	awk '/^tps = / {print $3}' <<<"$out"
}

# compose NAME PART…: writes $tmp/NAME.pgbench from the statements in sql/
# (PARTs ending in .sql, copies of tcardd's) and literal lines (other PARTs).
compose()
{
	local out=$tmp/$1.pgbench part
	shift
	: >"$out"
	for part in "$@"; do
		if [[ $part == *.sql ]]; then
			cat "$bench/sql/$part" >>"$out"
		else
			printf '%s\n' "$part" >>"$out"
		fi
	done
}

# The transactions tcardd runs for each request, as pgbench scripts.
compose_scripts()
{
	# GET /api/v1/officers/{id}/card (api_card.c, hours_store.c ONE_INPUT).
	compose card '\set oid random(:olo, :ohi)' auth.sql 'BEGIN READ ONLY;' context.sql \
		card_officer.sql hours_input.sql \
		'  FROM (SELECT :oid::bigint AS officer_id, :year::int AS year, 0::bigint AS generation) k' \
		hours_joins.sql ';' card_records.sql 'COMMIT;'
	# POST /api/v1/sessions/{id}/attendance (api_attendance.c, then the
	# refresh of hours_store.c: STALE_BATCH from the start, WRITE_BATCH).
	compose register '\set oid random(:olo, :ohi)' '\set sid random(:slo, :shi)' auth.sql \
		'BEGIN;' context.sql 'SELECT 1 FROM training_session WHERE id = :sid;' register.sql \
		'WITH k AS MATERIALIZED (SELECT officer_id, year, generation FROM officer_year_status' \
		'  WHERE stale AND (year, officer_id) > (0, 0) ORDER BY year, officer_id LIMIT 500)' \
		hours_input.sql '  FROM k' hours_joins.sql ' ORDER BY k.year, k.officer_id;' \
		write_batch.sql 'COMMIT;'
	# GET /api/v1/reports/compliance and /api/v1/reports/orgs (api_reports.c),
	# and what they would be without the maintained officer-years.
	compose report_page auth.sql 'BEGIN READ ONLY;' context.sql report_page.sql 'COMMIT;'
	compose report_page_naive 'BEGIN READ ONLY;' context.sql report_page_naive.sql 'COMMIT;'
	compose report_orgs auth.sql 'BEGIN READ ONLY;' context.sql report_orgs.sql 'COMMIT;'
	compose report_orgs_naive 'BEGIN READ ONLY;' context.sql report_orgs_naive.sql 'COMMIT;'
	# GET /api/v1/verify/{token} after the signature check (api_verify.c): a
	# random certificate's number and officer (one indexed read more than
	# tcardd, which has them from the token), then the counting lookup.
	compose verify '\set cid random(:clo, :chi)' 'BEGIN;' context.sql \
		'SELECT number, officer_id AS officer FROM certificate WHERE id = :cid \gset' \
		verify_lookup.sql 'COMMIT;'
}

hwm_kb()
{
	awk '/^VmHWM:/ {print $2}' "/proc/$1/status"
}

rows=()
# row WHAT OURS LIMIT RATIO TARGET
row()
{
	rows+=("$(printf '| %s | %s | %s | %s | %s |' "$@")")
}

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# ---------------------------------------------------------------- the benchmarks

# 1. GET /healthz: tcardd against bench_mhd_min, 64 connections.
bench_http()
{
	local ours=() limit=() i
	for ((i = 0; i < reps; i++)); do
		ours+=("$(wrk_rate -t 2 -c 64 -d "${seconds}s" "$BENCH_URL/healthz")")
		limit+=("$(wrk_rate -t 2 -c 64 -d "${seconds}s" "http://127.0.0.1:$mhd_port/healthz")")
	done
	local o l
	o=$(median "${ours[@]}")
	l=$(median "${limit[@]}")
	row "1. GET /healthz, wrk -c 64 (req/s; limit: minimal libmicrohttpd server)" \
		"$o" "$l" "$(ratio "$o" "$l")" "≥ 0.9"
}

# pair LABEL TARGET REQUEST SCRIPT NAIVE [-D NAME=VALUE …]: wrk sending
# requests.lua's REQUEST against pgbench running SCRIPT (and, unless NAIVE is
# "-", the NAIVE script too), alternately; adds the row (and the naive row).
pair()
{
	local label=$1 target=$2 request=$3 script=$4 naive=$5 ours=() limit=() slow=() i o l
	shift 5
	for ((i = 0; i < reps; i++)); do
		ours+=("$(BENCH_REQUEST=$request wrk_rate -t 2 -c "$clients" -d "${seconds}s" --timeout 30s \
			-s "$bench/requests.lua" "$BENCH_URL")")
		limit+=("$(pgbench_rate "$tmp/$script.pgbench" "$@")")
		# The naive query is a reference, not tcardd: no 5 s limit (at city size
		# one run takes longer than that).
		[[ $naive == - ]] || slow+=("$(BENCH_STATEMENT_TIMEOUT=0 pgbench_rate "$tmp/$naive.pgbench" "$@")")
	done
	o=$(median "${ours[@]}")
	l=$(median "${limit[@]}")
	row "$label (req/s; limit: pgbench, the same statements)" "$o" "$l" "$(ratio "$o" "$l")" \
		"$target"
	if [[ $naive != - ]]; then
		l=$(median "${slow[@]}")
		row "$label against a naive GROUP BY over attendance (req/s; pgbench)" "$o" "$l" \
			"$(ratio "$o" "$l")" "≥ 50 (province)"
	fi
}

# 2. The officer card: random officers, as the administrator.
bench_card()
{
	pair "2. GET officer card, $clients clients" "≥ 0.6" card card -
}

# 3. Attendance registration: random officers on random sessions.
bench_register()
{
	pair "3. POST attendance, $clients clients" "≥ 0.5" register register -
}

# 4. Reports from the maintained officer-years: a county auditor's first page
# of the compliance list (50, worst first), and the administrator's roll-up
# per city of the province; each also against a naive GROUP BY over raw
# attendance, to show what the maintained totals buy.
bench_report()
{
	BENCH_GET_TOKEN=$BENCH_AUDITOR_TOKEN \
		BENCH_GET_PATH="/api/v1/reports/compliance?year=$BENCH_YEAR&limit=50" \
		pair "4a. compliance page, county auditor, 50 rows" "≥ 0.8" get report_page \
		report_page_naive -D hash="$BENCH_AUDITOR_TOKEN_HASH" -D scope="$BENCH_COUNTY_PATH"
	BENCH_GET_PATH="/api/v1/reports/orgs?year=$BENCH_YEAR&org=$BENCH_PROVINCE_ID" \
		pair "4b. roll-up per city of the province" "≥ 0.8" get report_orgs report_orgs_naive
}

# 5. Bulk import: the issue 7 benchmark (its own tcardd), once.
bench_import()
{
	local n m out ours limit
	case $scale in
	small) n=100000 m=2500 ;;
	*) n=1000000 m=25000 ;;
	esac
	if ! out=$(BUILD=$build "$bench/import.sh" --rows "$n" --officers "$m" 2>&1); then
		echo "run.sh: import.sh failed: $(tail -3 <<<"$out")" >&2
		row "5. tcard import, $n rows (rows/s; limit: psql \\copy)" "failed" "—" "—" "≥ 0.5"
		return
	fi
	ours=$(awk '/^tcard import:/ {print $5}' <<<"$out")
	limit=$(awk '/^psql \\copy:/ {print $5}' <<<"$out")
	row "5. tcard import, $n rows, 1 run (rows/s; limit: psql \\copy)" \
		"$ours" "$limit" "$(ratio "$ours" "$limit")" "≥ 0.5"
}

# psql as the superuser, unaligned, quiet: the benchmarks' own bookkeeping.
psql_su()
{
	psql -X -qAt -v ON_ERROR_STOP=1 -h "$BENCH_PGHOST" -U postgres tcard "$@"
}

# sql_ms STATEMENT: runs it once as the superuser; prints its milliseconds
# (psql's \timing: the server's round trip, without psql's start-up).
sql_ms()
{
	psql_su -c '\timing on' -c "$1" | awk '/^Time: / {print $2}'
}

# http_s METHOD PATH BODY [HEADER…]: one request as the administrator; prints
# its seconds (curl's time_total), or fails when the reply is not 200.
http_s()
{
	local method=$1 path=$2 body=$3 out code s
	shift 3
	out=$(curl -s -o "$tmp/http.out" -w '%{http_code} %{time_total}' -X "$method" \
		-H "Authorization: Bearer $BENCH_TOKEN" -H 'Content-Type: application/json' "$@" \
		-d "$body" "$BENCH_URL$path")
	read -r code s <<<"$out"
	if [[ $code != 200 ]]; then
		echo "run.sh: $method $path: $code $(head -c 300 "$tmp/http.out")" >&2
		return 1
	fi
	echo "$s"
}

# 6. Policy change re-evaluation and closing a year, each against a plain
# UPDATE of the same officer_year_status rows (psql, as the superuser; the
# table's statement trigger included). Before each timed step, of either
# side, an untimed VACUUM of the table, so that neither pays the other's
# dead rows.
# (a) PUT a policy on the first city for the year (required hours 60 and 58
# in turn, so that every PUT changes it): the triggers mark the city's
# officer-years stale and tcardd re-evaluates them before replying; the time
# is the request's, until no row of the city is stale (checked, and waited
# for when the reply came first).
# (b) POST /api/v1/years/{year}/close for the whole province. Closing
# re-evaluates only officer-years evaluated before the year ended: the load
# evaluated them after it, so before each closing an untimed UPDATE dates
# every evaluation to the last day of the year, as the refresher would have
# during the year. The first closing raises the flags; the later ones find
# them raised (the same evaluation, fewer inserts). Closing comes last: a
# closed year refuses policy changes.
bench_policy()
{
	local city city_path n ours=() limit=() secs=() i s t0 stale o l
	read -r city city_path < <(psql_su -F ' ' -c "SELECT id, path FROM org WHERE code = 'PB.C01'")
	n=$(psql_su -c "SELECT count(*) FROM officer_year_status
		WHERE year = $BENCH_YEAR AND org_path <@ '$city_path'")
	for ((i = 0; i < reps; i++)); do
		psql_su -c 'VACUUM officer_year_status'
		t0=$(date +%s.%N)
		if ! s=$(http_s PUT "/api/v1/orgs/$city/policies/$BENCH_YEAR" \
			"{\"required_hours\": \"$((i % 2 ? 58 : 60))\"}" -H 'If-Match: *'); then
			row "6a. policy change, one city" "failed" "—" "—" "—"
			return
		fi
		while :; do
			stale=$(psql_su -c "SELECT count(*) FROM officer_year_status
				WHERE year = $BENCH_YEAR AND org_path <@ '$city_path' AND stale")
			((stale == 0)) && break
			s=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN {print t1 - t0}')
			sleep 0.1
		done
		ours+=("$(awk -v n="$n" -v s="$s" 'BEGIN {printf "%.1f", n / s}')")
		secs+=("$s")
		psql_su -c 'VACUUM officer_year_status'
		s=$(sql_ms "UPDATE officer_year_status SET stale = stale
			WHERE year = $BENCH_YEAR AND org_path <@ '$city_path'")
		limit+=("$(awk -v n="$n" -v ms="$s" 'BEGIN {printf "%.1f", n / ms * 1000}')")
	done
	o=$(median "${ours[@]}")
	l=$(median "${limit[@]}")
	row "6a. policy change on one city, $n officer-years re-evaluated (officer-years/s, median $(median "${secs[@]}" | awk '{printf "%.2f", $1}') s; limit: plain UPDATE of the same rows)" \
		"$o" "$l" "$(ratio "$o" "$l")" "—"

	ours=() limit=() secs=()
	for ((i = 0; i < reps; i++)); do
		psql_su -c "UPDATE officer_year_status SET evaluated_at = make_timestamptz($BENCH_YEAR,
			12, 31, 12, 0, 0, 'Asia/Shanghai') WHERE year = $BENCH_YEAR"
		psql_su -c 'VACUUM officer_year_status'
		if ! s=$(http_s POST "/api/v1/years/$BENCH_YEAR/close" '{}'); then
			row "6b. closing the year, province" "failed" "—" "—" "—"
			return
		fi
		[[ $i == 0 ]] && echo "run.sh: first closing: $(head -c 300 "$tmp/http.out")" >&2
		# The officer-years of the province that year, rows made by the
		# closing included.
		n=$(psql_su -c "SELECT count(*) FROM officer_year_status WHERE year = $BENCH_YEAR")
		stale=$(psql_su -c "SELECT count(*) FROM officer_year_status
			WHERE year = $BENCH_YEAR AND (stale OR evaluated_at < make_timestamptz($BENCH_YEAR
			+ 1, 1, 1, 0, 0, 0, 'Asia/Shanghai'))")
		((stale == 0)) || echo "run.sh: $stale officer-years not re-evaluated by the closing" >&2
		ours+=("$(awk -v n="$n" -v s="$s" 'BEGIN {printf "%.1f", n / s}')")
		secs+=("$s")
		psql_su -c 'VACUUM officer_year_status'
		s=$(sql_ms "UPDATE officer_year_status SET stale = stale WHERE year = $BENCH_YEAR")
		limit+=("$(awk -v n="$n" -v ms="$s" 'BEGIN {printf "%.1f", n / ms * 1000}')")
	done
	o=$(median "${ours[@]}")
	l=$(median "${limit[@]}")
	row "6b. closing the year for the province, $n officer-years (officer-years/s, median $(median "${secs[@]}" | awk '{printf "%.2f", $1}') s; limit: plain UPDATE of the same rows)" \
		"$o" "$l" "$(ratio "$o" "$l")" "—"
}

# 7. QR codes. (a) PNG images of random certificates (wrk + requests.lua
# "qr", as the administrator) against bench_qr_min (qr_min.c) signing the
# same claims and drawing the same images with server/sign.c and server/qr.c
# on $workers threads. (b) Verifications of real tokens (requests.lua
# "verify"; tcardd runs with --verify-rate 0) against sign_token_verify
# alone on $workers threads, and against pgbench running the lookup that
# follows the check (sql/verify_lookup.sql, one transaction).
bench_qr()
{
	local ours=() limit=() lookup=() i o l clo chi
	psql_su -F $'\t' -c "SELECT officer_id, extract(epoch FROM created_at)::bigint, number
		FROM certificate ORDER BY id" >"$tmp/claims.tsv"
	psql_su -c "SELECT id FROM certificate ORDER BY id" >"$tmp/certificates"
	"$build/tests/bench/bench_qr_min" tokens "$BENCH_DATA_DIR" <"$tmp/claims.tsv" >"$tmp/tokens"
	clo=$(head -1 "$tmp/certificates")
	chi=$(tail -1 "$tmp/certificates")
	for ((i = 0; i < reps; i++)); do
		ours+=("$(BENCH_REQUEST=qr BENCH_LIST=$tmp/certificates wrk_rate -t 2 -c "$clients" \
			-d "${seconds}s" --timeout 30s -s "$bench/requests.lua" "$BENCH_URL")")
		limit+=("$("$build/tests/bench/bench_qr_min" png "$BENCH_DATA_DIR" "$BENCH_URL" \
			"$tmp/claims.tsv" "$seconds" "$workers")")
	done
	o=$(median "${ours[@]}")
	l=$(median "${limit[@]}")
	row "7a. QR PNG, random certificates, $clients clients (images/s; limit: the same tokens signed and drawn by qr.c alone, $workers threads)" \
		"$o" "$l" "$(ratio "$o" "$l")" "—"
	ours=() limit=()
	for ((i = 0; i < reps; i++)); do
		ours+=("$(BENCH_REQUEST=verify BENCH_LIST=$tmp/tokens wrk_rate -t 2 -c "$clients" \
			-d "${seconds}s" --timeout 30s -s "$bench/requests.lua" "$BENCH_URL")")
		limit+=("$("$build/tests/bench/bench_qr_min" verify "$BENCH_DATA_DIR" "$tmp/tokens" \
			"$seconds" "$workers")")
		lookup+=("$(pgbench_rate "$tmp/verify.pgbench" -D clo="$clo" -D chi="$chi" -D scope=all)")
	done
	o=$(median "${ours[@]}")
	l=$(median "${limit[@]}")
	row "7b. GET /api/v1/verify/{token}, $clients clients (req/s; limit: sign_token_verify alone, $workers threads)" \
		"$o" "$l" "$(ratio "$o" "$l")" "—"
	l=$(median "${lookup[@]}")
	row "7b. GET /api/v1/verify/{token} against pgbench, the lookup that counts the verification (req/s)" \
		"$o" "$l" "$(ratio "$o" "$l")" "—"
}

# 8. Memory: tcardd's peak RSS idle (before the load) and after 1,000
# keep-alive connections on /healthz (VmHWM: the peak of the whole run, the
# refresh of every officer-year and benchmarks 1–4, 6 and 7 included, imports not).
# The limit column is the minimal server's peak under the same 1,000.
bench_memory()
{
	local mhd_kb ours_kb before_kb
	before_kb=$(hwm_kb "$BENCH_PID")
	wrk_rate -t 2 -c 1000 -d "${seconds}s" "$BENCH_URL/healthz" >/dev/null
	wrk_rate -t 2 -c 1000 -d "${seconds}s" "http://127.0.0.1:$mhd_port/healthz" >/dev/null
	ours_kb=$(hwm_kb "$BENCH_PID")
	mhd_kb=$(hwm_kb "$mhd_pid")
	row "8a. tcardd peak RSS idle (MiB)" \
		"$(awk -v k="$BENCH_IDLE_HWM_KB" 'BEGIN {printf "%.1f", k / 1024}')" "—" "—" "< 64"
	row "8b. tcardd peak RSS after the load, its refresh and benchmarks 1–4, 6 and 7 (MiB)" \
		"$(awk -v k="$before_kb" 'BEGIN {printf "%.1f", k / 1024}')" "—" "—" "< 64"
	row "8c. … and then wrk -c 1000 keep-alive on /healthz (MiB; limit: minimal server)" \
		"$(awk -v k="$ours_kb" 'BEGIN {printf "%.1f", k / 1024}')" \
		"$(awk -v k="$mhd_kb" 'BEGIN {printf "%.1f", k / 1024}')" "—" "< 64"
}

# ---------------------------------------------------------------- run

echo "run.sh: loading scale $scale (build $build) …" >&2
"$build/tests/bench/bench_province_load" --scale "$scale" --env "$tmp/env" \
	--workers "$workers" >&2
# shellcheck disable=SC1091
source "$tmp/env"
export BENCH_TOKEN BENCH_YEAR BENCH_OFFICER_MIN BENCH_OFFICER_MAX BENCH_SESSION_MIN \
	BENCH_SESSION_MAX
compose_scripts
mhd_port=$(free_port)
"$build/tests/bench/bench_mhd_min" "$mhd_port" "$workers" &
mhd_pid=$!
sleep 0.5

echo "run.sh: benchmarks ($reps runs of ${seconds}s per side) …" >&2
bench_http
bench_card
bench_register
bench_report
bench_policy
bench_qr
bench_memory
bench_import

cat <<EOF

tcard benchmarks, scale $scale: $BENCH_ROWS_OFFICER officers, $BENCH_ROWS_ATTENDANCE attendance records
$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); tcardd --workers $workers; medians of $reps alternate runs of ${seconds}s
generated in ${BENCH_T_GEN}s, loaded in ${BENCH_T_LOAD}s, officer-years evaluated in ${BENCH_T_REFRESH}s

| what | ours | limit | ratio | target |
|---|---|---|---|---|
EOF
printf '%s\n' "${rows[@]}"
echo
echo "run.sh: $scale took $(($(date +%s) - started)) s" >&2
