#!/bin/sh
# Fetches libyaml's C parser source for the YAML importers and checks its sha256.
#
# Usage: scripts/fetch_libyaml.sh [DEST]   (default build/third_party/libyaml)
#
# Pinned: libyaml 0.2.5 as Debian bookworm ships it (0.2.5-1, upstream's
# release with no Debian patches). Only the parser is taken: api.c,
# reader.c, scanner.c, parser.c, yaml_private.h, yaml.h and the License.
# Sources, first that works:
#   LIBYAML_SRC=DIR          an unpacked libyaml-0.2.5 tree
#   LIBYAML_TARBALL=URL|FILE a tarball, e.g.
#       https://github.com/yaml/libyaml/archive/refs/tags/0.2.5.tar.gz
#   apt-get source           needs a deb-src entry (scripts/deps.sh adds one)
# Whatever the source, every file must match its pinned sha256.
set -eu

DEST=${1:-build/third_party/libyaml}
DEB_VERSION=0.2.5-1
PINNED="71f9263a2c77237762c8fa5e7c3d2bdd35723ecf1e2898222c7a603a5bf3f2db src/api.c
c428a44b177391557bdf49177c1dc0216edf2a2bbe0e24ca2ef2725ef7f01e9d src/reader.c
bc3b30ceec0c696925e9703845874d7fafefb42bfbd3006dc4a02fc6d646f2d1 src/scanner.c
b418ed8d6ef7e86dbd0e59c8dc7a00c8e48200b0252dd41e25d00d4616c7b2dc src/parser.c
8dffe95c784665eba4ee88169456ebd41137a6d80ad13d536df6ad10d7a4d459 src/yaml_private.h
de39c9fc2b2c8584775e6d0dc0f13c8e778ceba47d419cff9d85465ca35d6954 include/yaml.h
c40112449f254b9753045925248313e9270efa36d226b22d82d4cc6c43c57f29 License"

. "$(dirname "$0")/fetch_lib.sh"

# Succeeds when DIR (flat: the files without their src/ and include/) matches.
check() {
  echo "$PINNED" | while read -r sum path; do
    f=$1/$(basename "$path")
    [ -f "$f" ] && [ "$(sha256 "$f")" = "$sum" ] || exit 1
  done
}

if check "$DEST"; then exit 0; fi

work_dir "$DEST" libyaml

# Copies the pinned files from the tree under $1 into $TMP/out.
take() {
  top=$(dirname "$(find "$1" -path '*/src/parser.c' | head -n 1)")/..
  [ -f "$top/src/parser.c" ] || { echo "fetch_libyaml: no src/parser.c in $1" >&2; return 1; }
  echo "$PINNED" | while read -r sum path; do cp "$top/$path" "$TMP/out/"; done
}

if [ -n "${LIBYAML_SRC:-}" ]; then
  take "$LIBYAML_SRC"
elif [ -n "${LIBYAML_TARBALL:-}" ]; then
  fetch_tarball "$LIBYAML_TARBALL" "$TMP/src.tar.gz"
  tar -xzf "$TMP/src.tar.gz" -C "$TMP/x"
  take "$TMP/x"
else
  if ! (cd "$TMP" && apt-get source --download-only -q "libyaml=$DEB_VERSION") \
      >"$TMP/apt.log" 2>&1; then
    cat "$TMP/apt.log" >&2
    echo "fetch_libyaml: apt-get source libyaml=$DEB_VERSION failed." >&2
    echo "  Add a deb-src entry (sh scripts/deps.sh does), or set" >&2
    echo "  LIBYAML_TARBALL=https://github.com/yaml/libyaml/archive/refs/tags/0.2.5.tar.gz" >&2
    exit 1
  fi
  tar -xzf "$TMP"/libyaml_0.2.5.orig.tar.gz -C "$TMP/x"
  take "$TMP/x"
fi

if ! check "$TMP/out"; then
  echo "fetch_libyaml: the files do not match the pinned sha256:" >&2
  (cd "$TMP/out" && for f in *; do echo "  $f $(sha256 "$f")"; done) >&2
  exit 1
fi
cp "$TMP"/out/* "$DEST/"
echo "libyaml: Debian $DEB_VERSION (upstream 0.2.5) -> $DEST"
