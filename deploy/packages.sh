# shellcheck shell=bash
# The one list of Debian 12 packages tcard needs, and the function that installs what is missing.
# Sourced by deploy/run.sh (runtime list) and deploy/test.sh (runtime + test lists).

# Build and run: compiler, libraries, and PostgreSQL for the embedded cluster tcardd starts.
TCARD_PACKAGES_RUNTIME=(
	build-essential cmake pkg-config clang-format
	libmicrohttpd-dev libpq-dev libjansson-dev libsodium-dev libcurl4-openssl-dev
	libqrencode-dev libpng-dev libxlsxwriter-dev libcmocka-dev
	postgresql-15 postgresql-contrib postgresql-common
	zbar-tools ca-certificates locales
)

# Tests only: load and timing tools, valgrind, python3 (its zipfile module opens the XLSX
# exports), and the browser suite (Debian's chromium driven by
# playwright-core; fonts-noto-cjk or Chinese renders as boxes).
TCARD_PACKAGES_TEST=(
	wrk hyperfine valgrind chromium fonts-noto-cjk python3
)

# Never let npm packages download a browser of their own: we use /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# tcard_install_packages [runtime|test]: install what is missing from the runtime list, and from
# the test list too with "test". Does nothing, quickly and without apt-get update, when nothing is
# missing. As root it installs; otherwise it prints the sudo command and returns 1 (which ends a
# script under set -e).
tcard_install_packages()
{
	local wanted=("${TCARD_PACKAGES_RUNTIME[@]}")
	if [[ "${1:-}" == test ]]; then
		wanted+=("${TCARD_PACKAGES_TEST[@]}")
	fi
	# node may come from elsewhere (e.g. NodeSource's nodejs, which conflicts with Debian's npm):
	# only ask Debian for it when the commands are missing. Tests and the web UI's npm deps need it.
	if [[ "${1:-}" == test || -f "${TCARD_REPO:-.}/package.json" ]]; then
		command -v node >/dev/null 2>&1 || wanted+=(nodejs)
		command -v npm >/dev/null 2>&1 || wanted+=(npm)
	fi

	# One dpkg-query for all: it prints the packages it knows, "want ok installed" when installed.
	local pkg status missing=()
	local -A installed=()
	while read -r pkg status; do
		if [[ "$status" == *" ok installed" ]]; then
			installed["$pkg"]=1
		fi
	done < <(dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null || true)
	for pkg in "${wanted[@]}"; do
		[[ -n "${installed[$pkg]:-}" ]] || missing+=("$pkg")
	done
	if ((${#missing[@]} == 0)); then
		return 0
	fi

	if ((EUID != 0)); then
		echo "tcard: missing Debian packages: ${missing[*]}" >&2
		echo "tcard: install them with:" >&2
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
		return 1
	fi

	# Debian's postgresql package creates and starts a "main" cluster on port 5432. tcard does not use
	# it (tcardd runs its own cluster under its data dir). On a machine that has never had
	# postgresql-common, a drop-in (read through createcluster.conf's include_dir) stops that cluster
	# from being created. A machine that already has PostgreSQL is left as it is.
	# Where it already exists it is harmless: tcardd and the tests pick their own ports.
	local pgcommon=/etc/postgresql-common
	if [[ " ${missing[*]} " == *" postgresql-15 "* && ! -e "$pgcommon/createcluster.conf" ]]; then
		mkdir -p "$pgcommon/createcluster.d"
		printf '%s\n' '# Written by tcard deploy/packages.sh: tcard runs its own cluster.' \
			'create_main_cluster = false' >"$pgcommon/createcluster.d/tcard.conf"
	fi

	echo "tcard: installing ${missing[*]}" >&2
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# tcard_install_npm: install the web UI's and browser tests' npm packages when the repository has a
# package.json. Skipped when node_modules is already up to date with the lock file.
tcard_install_npm()
{
	local repo="${TCARD_REPO:-.}" stamp
	[[ -f "$repo/package.json" ]] || return 0
	stamp="$repo/node_modules/.package-lock.json" # npm rewrites it on every install
	if [[ -f "$stamp" && "$stamp" -nt "$repo/package.json" &&
		(! -f "$repo/package-lock.json" || "$stamp" -nt "$repo/package-lock.json") ]]; then
		return 0
	fi
	if [[ -f "$repo/package-lock.json" ]]; then
		(cd "$repo" && npm ci --no-audit --no-fund)
	else
		(cd "$repo" && npm install --no-audit --no-fund)
	fi
}

# tcard_add_pg_path: put PostgreSQL's server programs (initdb, pg_ctl, postgres) on PATH; Debian
# keeps them in /usr/lib/postgresql/15/bin.
tcard_add_pg_path()
{
	local bindir
	for bindir in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/15/bin; do
		if [[ -n "$bindir" && -x "$bindir/initdb" ]]; then
			export PATH="$bindir:$PATH"
			return 0
		fi
	done
}
