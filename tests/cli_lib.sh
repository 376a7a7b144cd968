# cli_lib.sh - what the command-line test scripts share; sourced after TMP is
# set: run a command into $TMP/out and $TMP/err, check a condition, count.
passed=0
failed=0

# run CMD...: runs it with stdout in $TMP/out, stderr in $TMP/err, status in $status.
run() {
  "$@" >"$TMP/out" 2>"$TMP/err"
  status=$?
}

check() { # check NAME CONDITION-STATUS
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $1"
    sed 's/^/  stdout: /' "$TMP/out" | head -5
    sed 's/^/  stderr: /' "$TMP/err" | head -5
  fi
}

status_is() { [ "$status" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$TMP/out"; }
err_has() { grep -q -- "$1" "$TMP/err"; }
