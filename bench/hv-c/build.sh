#!/usr/bin/env bash
# Builds the C hypervolume codes that bench/hv.ts compares with (not part of mobo; their licences
# are their own: moocore MPL-2.0, WFG GPL-2.0+), with the timing drivers of this folder:
#
#   bash bench/hv-c/build.sh [MOOCORE_C_DIR] [WFG_DIR]
#
# MOOCORE_C_DIR: moocore's c/ folder (github.com/multi-objective/moocore); WFG_DIR: a folder with
# WFG's wfg.c, wfg.h, avl.c, avl.h and read.c (for example WFG/ of github.com/MOEAFramework/Hypervolume).
# Without them, both repositories are cloned into bench/hv-c/src (needs git and the network).
# Writes bench/hv-c/bin/moocore-hv and bench/hv-c/bin/wfg-hv (git ignores src/ and bin/), and prints
# the HV_C_BIN value that makes `npm run bench:hv` time them:
#
#   HV_C_BIN=$(bash bench/hv-c/build.sh | tail -1) npx tsx bench/hv.ts --only issue
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/bin" "$here/src"
moocore=${1:-}
wfg=${2:-}
if [ -z "$moocore" ]; then
  [ -d "$here/src/moocore" ] || git clone -q --depth 1 https://github.com/multi-objective/moocore "$here/src/moocore"
  moocore=$here/src/moocore/c
fi
if [ -z "$wfg" ]; then
  [ -d "$here/src/Hypervolume" ] || git clone -q --depth 1 https://github.com/MOEAFramework/Hypervolume "$here/src/Hypervolume"
  wfg=$here/src/Hypervolume/WFG
fi
cc=${CC:-gcc}
flags=(-O3 -march=native -DNDEBUG)
# moocore: its hypervolume sources as its own makefile lists them (libhv.mk), with link-time optimization.
sources=$(sed -n 's/^LIBHV_SRCS *= *//p' "$moocore/libhv.mk")
(cd "$moocore" && $cc "${flags[@]}" -flto -DDEBUG=0 -I. -I"$here" -o "$here/bin/moocore-hv" "$here/moocore.c" $sources -lm)
# WFG maximizes as shipped; the comparison is in minimization, which its MAXIMISING switch selects.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$wfg"/wfg.h "$wfg"/avl.h "$wfg"/avl.c "$wfg"/read.c "$work"/
sed 's/^#define MAXIMISING true/#define MAXIMISING false/' "$wfg/wfg.c" >"$work/wfg-minimizing.c"
grep -q '^#define MAXIMISING false' "$work/wfg-minimizing.c" || { echo "build.sh: $wfg/wfg.c has no MAXIMISING switch" >&2; exit 1; }
$cc -std=gnu99 "${flags[@]}" -DSIMPLE -Dopt=3 -I"$work" -I"$here" -o "$here/bin/wfg-hv" "$here/wfg.c" "$work/read.c" "$work/avl.c" -lm
echo "moocore=$here/bin/moocore-hv,wfg=$here/bin/wfg-hv"
