#!/bin/sh
# check_deps_test.sh CC - scripts/check_deps.sh rejects what it is meant to:
# a cycle between files, a physics file calling the boundary, a physics file
# allocating; and passes a one-way set. Built from tiny objects.
CC=${1:-cc}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/cli_lib.sh"
CHECK="sh $(dirname "$0")/../scripts/check_deps.sh"

obj() { # obj NAME SOURCE
  printf '%s\n' "$2" >"$TMP/$1.c"
  $CC -c -o "$TMP/$1.o" "$TMP/$1.c" || exit 1
}
obj low 'int gm_low(void); int gm_low(void) { return 1; }'
obj mid 'int gm_low(void); int gm_mid(void); int gm_mid(void) { return gm_low() + 1; }'
obj top 'int gm_mid(void); int gm_top(void); int gm_top(void) { return gm_mid() + 1; }'
obj cyc 'int gm_top(void); int gm_low2(void); int gm_low2(void) { return gm_top(); }'
obj top2 'int gm_mid(void); int gm_low2(void); int gm_top(void);
int gm_top(void) { return gm_mid() + gm_low2(); }'
obj alloc '#include <stdlib.h>
int gm_a(void); int gm_a(void) { void *p = malloc(1); free(p); return 0; }'

run $CHECK "$TMP/low.o" "$TMP/mid.o" -- "$TMP/top.o"
check "a one-way set passes" $(status_is 0 && out_has "2 dependencies between 3 files"; echo $?)
run $CHECK "$TMP/low.o" -- "$TMP/mid.o" "$TMP/top2.o" "$TMP/cyc.o"
check "a cycle between files fails and names them" $(status_is 1 && err_has "cycle" && err_has "^  cyc$" && err_has "^  top2$"; echo $?)
run $CHECK "$TMP/top.o" -- "$TMP/mid.o" "$TMP/low.o"
check "physics calling the boundary fails" $(status_is 1 && err_has "physics file top.c uses gm_mid of mid.c"; echo $?)
run $CHECK "$TMP/alloc.o" "$TMP/low.o" -- "$TMP/mid.o"
check "physics allocating fails" $(status_is 1 && err_has "physics file alloc.c calls malloc"; echo $?)
run $CHECK "$TMP/low.o"
check "without -- it is a usage error" $(status_is 2; echo $?)

echo "check_deps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
