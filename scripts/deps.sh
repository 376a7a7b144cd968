#!/bin/sh
# Installs what building and testing need on Debian/Ubuntu; skips what is present.
set -e
need=""
command -v cc >/dev/null 2>&1 || need="$need build-essential"
command -v c++ >/dev/null 2>&1 || need="$need g++"
# WebAssembly: emcc, and node for the tests and benchmarks.
command -v emcc >/dev/null 2>&1 || need="$need emscripten"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v patch >/dev/null 2>&1 || need="$need patch"
# Fuzzing (make fuzz): clang with libFuzzer and the sanitizers.
command -v clang >/dev/null 2>&1 || need="$need clang"
if command -v clang >/dev/null 2>&1 &&
  [ ! -f "$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a")" ]; then
  need="$need libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" # a recommends, maybe skipped
fi
command -v xz >/dev/null 2>&1 || need="$need xz-utils"
# The Python package: headers, venv, and setuptools/wheel for pip without an index.
py=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
inc=$($py -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)
[ -n "$inc" ] && [ -f "$inc/Python.h" ] || need="$need python3-dev"
$py -c 'import ensurepip, venv' 2>/dev/null || need="$need python3-venv"
$py -c 'import setuptools' 2>/dev/null || need="$need python3-setuptools"
$py -c 'import wheel' 2>/dev/null || need="$need python3-wheel"
# Every build compiles cJSON, the YAML importers libyaml and the torchtitan
# importer toml++, from Debian's source packages (scripts/fetch_cjson.sh,
# fetch_libyaml.sh, fetch_tomlplusplus.sh): add deb-src entries mirroring the
# deb ones.
srcs=""
if { { [ ! -f build/third_party/cjson/cJSON.c ] && [ -z "${CJSON_SRC:-}${CJSON_TARBALL:-}" ]; } ||
  { [ ! -f build/third_party/libyaml/parser.c ] && [ -z "${LIBYAML_SRC:-}${LIBYAML_TARBALL:-}" ]; } ||
  { [ ! -f build/third_party/tomlplusplus/toml++/toml.h ] && [ -z "${TOMLPP_SRC:-}${TOMLPP_TARBALL:-}" ]; }; } &&
  ! grep -qsE '^(deb-src |Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/*; then
  srcs=1
fi
if [ -n "$need$srcs" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  if [ -n "$srcs" ]; then
    deb822=$(for f in /etc/apt/sources.list.d/*.sources; do
      [ ! -f "$f" ] || { sed 's/^Types:.*/Types: deb-src/' "$f"; echo; }
    done)
    [ -z "$deb822" ] || echo "$deb822" | $SUDO tee /etc/apt/sources.list.d/deb-src.sources >/dev/null
    legacy=$(sed -n 's/^deb /deb-src /p' /etc/apt/sources.list 2>/dev/null || true)
    [ -z "$legacy" ] || echo "$legacy" | $SUDO tee /etc/apt/sources.list.d/deb-src.list >/dev/null
  fi
  $SUDO apt-get update -q
  [ -z "$need" ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $need
fi
# Web app: npm (Preact, htm, playwright-core) and a Chromium for the browser tests.
web_need=""
command -v npm >/dev/null 2>&1 || web_need="$web_need npm"
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 &&
  ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  web_need="$web_need chromium"
fi
if [ -n "$web_need" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $web_need >/dev/null
fi
# npm ci when node_modules is missing or older than package-lock.json.
if [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  npm ci --no-audit --no-fund --loglevel=error
fi
