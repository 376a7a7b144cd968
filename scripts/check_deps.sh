#!/bin/sh
# check_deps.sh [-v] PHYSICS_OBJ... -- BOUNDARY_OBJ... - the core's files depend one way.
#
# From the symbols of the compiled core (nm), which file calls a function or
# reads data defined in which other file. Fails when
#   - the files call each other in a cycle (tsort finds a loop), or
#   - a physics file (the objects before --) uses a boundary file,
#     or allocates, or does I/O, or touches cJSON.
# -v first: print every dependency, "caller -> callee (symbols)" (make callgraph).
# The physics may read the generated preset tables (presets_data: data, built
# without cJSON). Exceptions would be listed in ALLOW ("caller callee symbol");
# there are none: the bounds gm_resolve holds derived values to are the
# schema's rows (schema.c, physics-safe data).
set -eu
verbose=0
if [ "${1:-}" = "-v" ]; then
  verbose=1
  shift
fi
physics=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  physics="$physics $1"
  shift
done
[ $# -ge 2 ] || {
  echo "usage: check_deps.sh [-v] PHYSICS_OBJ... -- BOUNDARY_OBJ..." >&2
  exit 2
}
shift
objs="$physics $*"
ALLOW=""
FORBIDDEN='^(malloc|calloc|realloc|free|strdup|cJSON_.*|fopen|fclose|fread|fwrite|fputs|fprintf|printf|puts|putchar|getenv|exit|abort)$'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for o in $objs; do
  f=$(basename "$o" .o)
  nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 {print $3, f}'
done | sort -k1,1 >"$tmp/defs"
for o in $objs; do
  f=$(basename "$o" .o)
  nm -u "$o" | awk -v f="$f" '{print $NF, f}'
done | sort -k1,1 >"$tmp/uses"
# symbol caller callee, for calls between different files.
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3' | sort -k2,2 -k3,3 -k1,1 >"$tmp/calls"

if [ "$verbose" = 1 ]; then
  awk '{k = $2 " -> " $3; s[k] = s[k] " " $1} END {for (k in s) print k " (" substr(s[k], 2) ")"}' \
    "$tmp/calls" | sort
fi

status=0
awk '{print $2, $3}' "$tmp/calls" | sort -u >"$tmp/edges"
if ! tsort <"$tmp/edges" >/dev/null 2>"$tmp/loop"; then
  echo "check_deps: the core's files call each other in a cycle:" >&2
  grep -v '^tsort: -\?:\? *input contains a loop' "$tmp/loop" | sed 's/^tsort: /  /' >&2
  status=1
fi

names=""
for o in $physics; do
  names="$names $(basename "$o" .o)"
done
if [ -n "$names" ]; then
  # Physics calling a file that is not physics, unless allowed.
  awk -v phys="$names" -v allow="$ALLOW" '
    BEGIN { n = split(phys, p, " "); for (i = 1; i <= n; i++) is[p[i]] = 1
            m = split(allow, a, " "); for (i = 1; i + 2 <= m; i += 3) ok[a[i] " " a[i+1] " " a[i+2]] = 1 }
    is[$2] && !is[$3] && $3 != "presets_data" && !ok[$2 " " $3 " " $1] {
      print "check_deps: physics file " $2 ".c uses " $1 " of " $3 ".c (boundary)"; bad = 1 }
    END { exit bad }' "$tmp/calls" >&2 || status=1
  for o in $physics; do
    f=$(basename "$o" .o)
    nm -u "$o" | awk -v f="$f" -v re="$FORBIDDEN" '$NF ~ re {
      print "check_deps: physics file " f ".c calls " $NF; bad = 1 } END { exit bad }' >&2 || status=1
  done
fi
[ "$status" = 0 ] && echo "check_deps: $(wc -l <"$tmp/edges") dependencies between $(echo $objs | wc -w) files, one way; physics:$names"
exit "$status"
