#!/usr/bin/env bash
# The whole check, as CI runs it: install what is missing, check formatting, build with -Werror and
# run every test, then build with ASan+UBSan and run the tests again (browser tests excepted).
# Safe to run again: the build dirs build/ and build-asan/ are reused. TCARD_SKIP_ASAN=1 skips the
# sanitizer half for a quicker local run.
# Functions below run through stage(), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail

TCARD_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TCARD_REPO
cd "$TCARD_REPO"
# shellcheck source=deploy/packages.sh
source deploy/packages.sh

tcard_install_packages test
tcard_install_npm
tcard_add_pg_path

jobs="$(nproc)"
summary=()
failed=0
tests_passed=0
tests_failed=0

# stage NAME FUNCTION...: run one step, time it, record PASS or FAIL. Steps must return non-zero
# themselves on failure (set -e does not apply inside a function called from a condition).
stage()
{
	local name="$1" start="$SECONDS"
	shift
	printf '\n==> %s\n' "$name"
	if "$@"; then
		summary+=("PASS  $name ($((SECONDS - start))s)")
		return 0
	fi
	summary+=("FAIL  $name ($((SECONDS - start))s)")
	failed=1
	return 1
}

skip()
{
	summary+=("SKIP  $1 ($2)")
}

check_format()
{
	local dirs=() files=() bad=() f
	for f in server cli tests; do
		[[ -d "$f" ]] && dirs+=("$f")
	done
	((${#dirs[@]} > 0)) || return 0
	while IFS= read -r -d '' f; do
		files+=("$f")
	done < <(find "${dirs[@]}" -type d \( -name node_modules -o -name 'build*' -o -name '.*' \) \
		-prune -o -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)
	for f in "${files[@]}"; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
	done
	if ((${#bad[@]} > 0)); then
		echo "Not formatted with the committed .clang-format (${#bad[@]} of ${#files[@]} files):"
		printf '  %s\n' "${bad[@]}"
		echo "Fix with:"
		echo "  clang-format -i ${bad[*]}"
		return 1
	fi
	echo "${#files[@]} files formatted"
}

build()
{
	local dir="$1"
	shift
	cmake -S . -B "$dir" -DTCARD_WERROR=ON "$@" && cmake --build "$dir" -j"$jobs"
}

# run_ctest DIR [ctest args…]: run the tests and add ctest's counts to the totals.
run_ctest()
{
	local dir="$1" log rc=0 line total nfail
	shift
	log="$dir/ctest-summary.log"
	ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs" --timeout 600 "$@" \
		2>&1 | tee "$log" || rc=$?
	# "100% tests passed, 0 tests failed out of 12"
	line="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)"
	if [[ -n "$line" ]]; then
		total="${line##* out of }"
		nfail="$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")"
		tests_passed=$((tests_passed + total - nfail))
		tests_failed=$((tests_failed + nfail))
	fi
	return "$rc"
}

stage "format (clang-format)" check_format || true

if stage "build (RelWithDebInfo, -Werror)" build build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DTCARD_SANITIZE=OFF; then
	stage "tests (build)" run_ctest build || true
else
	skip "tests (build)" "build failed"
fi

if [[ "${TCARD_SKIP_ASAN:-0}" == 1 ]]; then
	skip "ASan+UBSan build and tests" "TCARD_SKIP_ASAN=1"
elif stage "build (Debug, ASan+UBSan, -Werror)" build build-asan -DCMAKE_BUILD_TYPE=Debug \
	-DTCARD_SANITIZE=ON; then
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
	stage "tests (build-asan, without browser)" run_ctest build-asan -LE browser || true
else
	skip "tests (build-asan, without browser)" "build failed"
fi

printf '\n==> summary\n'
printf '  %s\n' "${summary[@]}"
if ((failed)); then
	echo "deploy/test.sh: FAILED"
else
	echo "deploy/test.sh: all passed"
fi
echo "tests: ${tests_passed} passed, ${tests_failed} failed"
exit "$failed"
