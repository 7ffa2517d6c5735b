#!/usr/bin/env bash
# Regenerates src/MuJoCo/Interop/MjLayout.g.cs from the installed MuJoCo headers.
#   tools/MjLayoutGen/generate.sh [output.cs]     (default: src/MuJoCo/Interop/MjLayout.g.cs)
# Needs gcc and libmujoco-dev. Writes atomically (temp file + rename) so a failed run never
# leaves a truncated layout behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-"$root/src/MuJoCo/Interop/MjLayout.g.cs"}
include_dir=${MUJOCO_INCLUDE:-/usr/include}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -std=c11 -Wall -Werror -I"$include_dir" "$here/mjlayoutgen.c" -o "$work/mjlayoutgen"
"$work/mjlayoutgen" > "$work/MjLayout.g.cs"
mkdir -p "$(dirname "$out")"
tmp_out="$(dirname "$out")/.$(basename "$out").$$.tmp"
cp "$work/MjLayout.g.cs" "$tmp_out"
mv -f "$tmp_out" "$out"
