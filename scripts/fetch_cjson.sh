#!/bin/sh
# Fetches cJSON's C source, which the CLI, the tests and the WebAssembly
# module are all compiled from, and checks its sha256.
#
# Usage: scripts/fetch_cjson.sh [DEST]   (default build/third_party/cjson)
#
# Pinned: cJSON 1.7.15 as Debian bookworm ships it (1.7.15-1+deb12u4, with
# its security patches), so every build parses and prints alike, whatever
# libcjson the machine has. Sources, first that works:
#   CJSON_SRC=DIR           a directory holding cJSON.c and cJSON.h
#   CJSON_TARBALL=URL|FILE  a tarball holding them
#   apt-get source          needs a deb-src entry (scripts/deps.sh adds one)
#   Debian's archive        the same source package by URL (CI machines
#                           without Debian's archive: Ubuntu, for one)
# Whatever the source, the files must match the pinned pair below; plain
# upstream 1.7.15 does not (it lacks the patches).
set -eu

DEST=${1:-build/third_party/cjson}
DEB_VERSION=1.7.15-1+deb12u4
# sha256 of cJSON.c and cJSON.h.
DEBIAN_C=5c5ab83a24eecfebc25b6aa4d47dbdb5f23d1baec92de75fec5f0528dbe255a7
CJSON_H=c25b54ebc98e814eb7b3eeaf12ce899806f87ff5a275b20a3b77dbb3968e5d0b

. "$(dirname "$0")/fetch_lib.sh"

# Prints which pinned release DIR holds; fails if none.
check() {
  [ -f "$1/cJSON.c" ] && [ -f "$1/cJSON.h" ] || return 1
  [ "$(sha256 "$1/cJSON.h")" = "$CJSON_H" ] || return 1
  case $(sha256 "$1/cJSON.c") in
    "$DEBIAN_C") echo "Debian $DEB_VERSION" ;;
    *) return 1 ;;
  esac
}

if check "$DEST" >/dev/null; then exit 0; fi

work_dir "$DEST" cjson

# Copies cJSON.{c,h} from the tree under $1 into $TMP/out.
take() {
  c=$(find "$1" -name cJSON.c -not -path '*/tests/*' | head -n 1)
  [ -n "$c" ] || { echo "fetch_cjson: no cJSON.c in $1" >&2; return 1; }
  cp "$c" "$(dirname "$c")/cJSON.h" "$TMP/out/"
}

# Debian's archive keeps every released source package under pool/.
POOL=${CJSON_DEBIAN_POOL:-https://deb.debian.org/debian/pool/main/c/cjson}

if [ -n "${CJSON_SRC:-}" ]; then
  take "$CJSON_SRC"
elif [ -n "${CJSON_TARBALL:-}" ]; then
  fetch_tarball "$CJSON_TARBALL" "$TMP/src.tar.gz"
  tar -xzf "$TMP/src.tar.gz" -C "$TMP/x"
  take "$TMP/x"
else
  # Debian's source package: the upstream tarball plus debian/patches.
  if apt-cache showsrc cjson 2>/dev/null | grep -q "^Version: $DEB_VERSION"; then
    if ! (cd "$TMP" && apt-get source --download-only -q "cjson=$DEB_VERSION") \
        >"$TMP/apt.log" 2>&1; then
      cat "$TMP/apt.log" >&2
      echo "fetch_cjson: apt-get source cjson=$DEB_VERSION failed." >&2
      exit 1
    fi
  else
    echo "fetch_cjson: Debian's cjson $DEB_VERSION source is not in this machine's archive;" \
      "downloading it from $POOL" >&2
    download "$POOL/cjson_1.7.15.orig.tar.gz" "$TMP/cjson_1.7.15.orig.tar.gz"
    download "$POOL/cjson_$DEB_VERSION.debian.tar.xz" "$TMP/cjson_$DEB_VERSION.debian.tar.xz"
  fi
  tar -xzf "$TMP"/cjson_1.7.15.orig.tar.gz -C "$TMP/x"
  src=$(find "$TMP/x" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  tar -xJf "$TMP"/cjson_*.debian.tar.xz -C "$src"
  if [ -f "$src/debian/patches/series" ]; then
    for p in $(grep -v '^#' "$src/debian/patches/series"); do
      (cd "$src" && patch -p1 -s <"debian/patches/$p")
    done
  fi
  take "$src"
fi

if ! which=$(check "$TMP/out"); then
  echo "fetch_cjson: cJSON.c/cJSON.h do not match the pinned sha256:" >&2
  (cd "$TMP/out" && for f in cJSON.c cJSON.h; do echo "  $f $(sha256 "$f")"; done) >&2
  exit 1
fi
cp "$TMP/out/cJSON.c" "$TMP/out/cJSON.h" "$DEST/"
echo "cJSON: $which -> $DEST"
