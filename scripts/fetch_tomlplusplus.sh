#!/bin/sh
# Fetches toml++'s headers (a header-only C++17 TOML parser) for the
# torchtitan importer and checks their sha256.
#
# Usage: scripts/fetch_tomlplusplus.sh [DEST]   (default build/third_party/tomlplusplus)
#
# Pinned: toml++ 3.3.0 as Debian bookworm ships it (3.3.0+ds-1; the +ds
# repack only drops upstream's vendored test libraries and Visual Studio
# files): the 50 files of include/toml++/, copied to DEST/toml++/.
# Sources, first that works:
#   TOMLPP_SRC=DIR           an unpacked tomlplusplus-3.3.0 tree
#   TOMLPP_TARBALL=URL|FILE  a tarball, e.g.
#       https://github.com/marzer/tomlplusplus/archive/refs/tags/v3.3.0.tar.gz
#   apt-get source           needs a deb-src entry (scripts/deps.sh adds one)
#   apt-get download         Debian's libtomlplusplus-dev of the same version,
#                            which installs the same headers
# Whatever the source, every file must match its pinned sha256.
set -eu

DEST=${1:-build/third_party/tomlplusplus}
DEB_VERSION=3.3.0+ds-1
PINNED="$(cat <<'PINS'
475ea1e1d4c75d46d7a7053ae97e1c0ffcdebdfeb0842d8ced6ea097a58a3055 toml++/impl/array.h
6ec76c91fd62fc70a493cd56ed2779e360322e555b37a0283813040f8f85b47f toml++/impl/array.inl
295675204b2bafddd4bf0a9fdff8ec96fadd88bfa7dac944077f21e42541d89f toml++/impl/at_path.h
00740a1a584881802fa418cfa5c1a61b3116c308ad0150d592f07bbb5fdc0514 toml++/impl/at_path.inl
41565211b97597f1a3c0ffe5feaa8388e870ee81ef2e403101cfe21c715b11fe toml++/impl/date_time.h
0212ea7ca8a97b35f6018c9a9698a86f0ae4502baa87c3234e8075376dfb7591 toml++/impl/formatter.h
0f103d99b77e653c6c3b0da69283aff2f8b92c14e439cf58489765662ef5f0e7 toml++/impl/formatter.inl
71496957eed221802eb0cbed3740537dcb6bbe80d96f35084c9a895634532cc0 toml++/impl/forward_declarations.h
d271092bc8828396731f3dd1f5c886028681e8cd4d2cf741e006e09eb8aa8441 toml++/impl/header_end.h
05a530637a7ce3a4664fa092e778a4c991c60a84f0fe369cb9b395b2f7a8746b toml++/impl/header_start.h
a5651036ec5c3927746a8c9bf0d88d55dbdc147daa71b598173e91da76d2a971 toml++/impl/json_formatter.h
f5b76b219bd3dc1b67a85070cad1e81951e5936c6041b40425b6abe5d531a99d toml++/impl/json_formatter.inl
9b5b1edbc134adfab557744a792ccd92017903c43ef2745498be4826c2aab8d2 toml++/impl/key.h
13317ab80489c3f9ef8b078c5a0b17acdaca0c2694a13928d8ff79caf05fe8aa toml++/impl/make_node.h
40f87f5870002c51b1cd76eac113299d6c5edf7705cd8592fe07ef566b853bff toml++/impl/node.h
ca4fd7f7bfcd5be7941f18d5a27b2f8650cf0d4da66c0e1620de2d4afc6712ad toml++/impl/node.inl
388518ff0bad811dfc7d858e6dbfdcf5b22d735f8686fe347ef312c2920091cb toml++/impl/node_view.h
fa7479eb3ac24520205874babfa48cf71b6e9d5f5ded67410934450dce824e58 toml++/impl/parse_error.h
7fb7cd4c7b35893abc084f2587b71c6f43edd0ecea23f558c4d1abc7260ae9c8 toml++/impl/parse_result.h
50742d5b729632215d9dbfd0eb36a3519427719516d39fdc0e35b46eb4f2a960 toml++/impl/parser.h
8649342ba1fa6c7262af6f2e1e934b3aa270c2dcd4aa28a61e16ba5924f21bae toml++/impl/parser.inl
2764ce6b07a363db8b620b14d60334e7ea6281a7ded1bbd3fc1d0454f98757d7 toml++/impl/path.h
05c0b7454b8f11eb0592239255da0d465b8df4e7d76e284e7b60c6bd2db269e2 toml++/impl/path.inl
8fed9dbf928f80e4259b16d4576bf6e8246a3e6b958c8c3b453e53732bfd3849 toml++/impl/preprocessor.h
e7753c2eab843960f0dc6c77ef83d9e20f7e976ce17482125a0284de8a6d5f99 toml++/impl/print_to_stream.h
ea0d08dda8aa2e99c8e69a831ed311ea4f0a0086c8a10fcd2ed39cbbe2a90dbe toml++/impl/print_to_stream.inl
a7ebd38d8d5916873c63b4a052e721ffc1034007292ef73469305583492a107a toml++/impl/simd.h
c859b35bc1d2902c1445505696f94029e79d5c0310451e2f117eb42648c2c1e1 toml++/impl/source_region.h
00f35121dda07c94d66d5450046ae8ff45f417fefa5ac2a5297d5f333b7e6512 toml++/impl/std_except.h
a12d19b9145155d4326db2480cdca550698d980077f221d5c592c3c4841ef428 toml++/impl/std_initializer_list.h
aed6f049f352a21fcc48855469aa9c97921f182f22916ff028de49d58c9e8185 toml++/impl/std_map.h
fa7ee8ab5761839291e0e0f7854f2148ac27216f8047e056de0f81f05d38cc58 toml++/impl/std_new.h
ee54ec61a556f19a7f2b179523783d433467abf4aea6cd1facc05a02568b7aad toml++/impl/std_optional.h
4c5ac4f71dd05bdd4255ed49a4871195269685a451793a22d702295cfde357aa toml++/impl/std_string.h
bf09f40bb970466d5c48882db5ec36e0017accc252b31d98aa264090e3ced5fd toml++/impl/std_string.inl
4e5e5e016826606943b3a39bbdecad073d95ae7f8e1cbaeb82a4942c9a641577 toml++/impl/std_utility.h
09bb3d21f72e0404686d5756dfcc699dbef4fa5da7299f035c9a6b9b3279d4f2 toml++/impl/std_variant.h
95f6b07ff1498cad81c1b7e1f4905c803e3d51d411b0b96f7f7efcbcea321f89 toml++/impl/std_vector.h
91eeba74d003d6a910a53e4934936a9d080f93bd1e5c7ce15f494969d46270c4 toml++/impl/table.h
d4100913f146aae5d8d4a13e946151bd667523af1cc5e9b7dc8d0df993e6b2f4 toml++/impl/table.inl
e1156ae08c2d32feb95f7cd9970e233f1b68eb65b9547817a9f188469d5e3f0a toml++/impl/toml_formatter.h
2cbc69370ba00bdcb9c865b7848af5520ee4aa5728ea683b5baa4e0359ad58fc toml++/impl/toml_formatter.inl
b5dcb20e7fad3e9c0241d063ec3921abcdba0272c5e20bd93359d16e2b312f2c toml++/impl/unicode.h
ae4c9c3da4208f37e53650085c3026a9a073578504d9a4d0e9c9263fc5c52f81 toml++/impl/unicode.inl
dbc4a01671e6c504f6d94fe6d85b4c9572af06ef6c3f7a44d558e3c9a1ffa939 toml++/impl/unicode_autogenerated.h
bae80c8551fc7952fe83774f8054a046192f5fa69116860d6e146635af86c64b toml++/impl/value.h
b5f8b2f4bf5a111ff03e740af69212371f25c7598323a97b62ad9fd100bcf9ae toml++/impl/version.h
0fd22e38c36385b2be8f2e6dfdb6e8b1f9b466d5f316d01a673456766166292f toml++/impl/yaml_formatter.h
9abf9a79fef4ab49119755003f1194bf6e359359c2a115dfd2e13eddb4932f7a toml++/impl/yaml_formatter.inl
3addefea8724aff8842ee0767c061b39e115c3ec0b14d539dfd0dcdca4c5179b toml++/toml.h
PINS
)"

. "$(dirname "$0")/fetch_lib.sh"

# Succeeds when DIR holds every pinned file.
check() {
  echo "$PINNED" | while read -r sum path; do
    [ -f "$1/$path" ] && [ "$(sha256 "$1/$path")" = "$sum" ] || exit 1
  done
}

if check "$DEST"; then exit 0; fi

work_dir "$DEST" tomlplusplus

# Copies the pinned files from the tree under $1 (the directory above a
# toml++/toml.h) into $TMP/out.
take() {
  top=$(dirname "$(dirname "$(find "$1" -path '*/toml++/toml.h' | head -n 1)")")
  [ -f "$top/toml++/toml.h" ] || { echo "fetch_tomlplusplus: no toml++/toml.h in $1" >&2; return 1; }
  echo "$PINNED" | while read -r sum path; do
    mkdir -p "$TMP/out/$(dirname "$path")"
    cp "$top/$path" "$TMP/out/$path"
  done
}

if [ -n "${TOMLPP_SRC:-}" ]; then
  take "$TOMLPP_SRC"
elif [ -n "${TOMLPP_TARBALL:-}" ]; then
  fetch_tarball "$TOMLPP_TARBALL" "$TMP/src.tar"
  tar -xf "$TMP/src.tar" -C "$TMP/x"
  take "$TMP/x"
elif (cd "$TMP" && apt-get source --download-only -q "tomlplusplus=$DEB_VERSION") \
    >"$TMP/apt.log" 2>&1; then
  tar -xJf "$TMP"/tomlplusplus_3.3.0+ds.orig.tar.xz -C "$TMP/x"
  take "$TMP/x"
elif (cd "$TMP" && apt-get download -q "libtomlplusplus-dev=$DEB_VERSION") \
    >>"$TMP/apt.log" 2>&1; then
  dpkg-deb -x "$TMP"/libtomlplusplus-dev_*.deb "$TMP/x"
  take "$TMP/x/usr/include"
else
  cat "$TMP/apt.log" >&2
  echo "fetch_tomlplusplus: neither apt-get source tomlplusplus=$DEB_VERSION nor" >&2
  echo "  apt-get download libtomlplusplus-dev=$DEB_VERSION worked. Add a deb-src entry" >&2
  echo "  (sh scripts/deps.sh does), or set" >&2
  echo "  TOMLPP_TARBALL=https://github.com/marzer/tomlplusplus/archive/refs/tags/v3.3.0.tar.gz" >&2
  exit 1
fi

if ! check "$TMP/out"; then
  echo "fetch_tomlplusplus: the files do not match the pinned sha256:" >&2
  echo "$PINNED" | while read -r sum path; do
    [ "$(sha256 "$TMP/out/$path" 2>/dev/null)" = "$sum" ] || echo "  $path" >&2
  done
  exit 1
fi
cp -R "$TMP"/out/* "$DEST/"
echo "toml++: Debian $DEB_VERSION (upstream 3.3.0) -> $DEST"
