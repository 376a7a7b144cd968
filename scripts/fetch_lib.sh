# fetch_lib.sh - what the scripts/fetch_*.sh share; sourced, not run.
# Each fetches one pinned C library source and checks it by sha256.

sha256() { # sha256 FILE: its hex digest
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

download() { # download URL FILE
  if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$2" "$1"
  else wget -q -O "$2" "$1"; fi
}

# fetch_tarball SOURCE FILE: a tarball named by URL, or a file, copied to FILE.
fetch_tarball() {
  case $1 in
    http://* | https://*) download "$1" "$2" ;;
    *) cp "$1" "$2" ;;
  esac
}

# work_dir DEST NAME: sets TMP to an empty work directory beside DEST (with
# out/ and x/), removed when the script ends.
work_dir() {
  mkdir -p "$1"
  TMP=$(cd "$1/.." && pwd)/.$2-fetch
  rm -rf "$TMP"
  mkdir -p "$TMP/out" "$TMP/x"
  trap 'rm -rf "$TMP"' EXIT INT TERM
}
