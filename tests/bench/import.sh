#!/bin/sh
# The issue 7 import benchmark (README.md here): tcard import vs psql \copy.
# Usage: [BUILD=build-dir] tests/bench/import.sh [--rows N] [--officers M] [--keep]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
if [ ! -x "$build/tests/bench/bench_import" ]; then
	echo "import.sh: build first: cmake --build $build --target bench_import" >&2
	exit 64
fi
exec "$build/tests/bench/bench_import" "$@"
