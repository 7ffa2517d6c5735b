#!/usr/bin/env bash
# Runs every test project in Release and ends with one summary line: "tests: N passed, N failed, N skipped".
# DESIGN: projects run one after another, not in parallel: several suites start real peers (DDS
# participants, mosquitto brokers, mpirun, child nodes) and two cores are better spent on one at a time.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
dotnet build Mlsh.sln -c Release -v quiet -nologo -clp:"ErrorsOnly;NoSummary" || { echo "tests: 0 passed, 1 failed (build failed)"; exit 1; }
touch "$root/artifacts/.cli-built"
rc=0
for proj in tests/*/*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  dotnet test "$proj" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || rc=1
done
python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(trx).getroot().find(".//{*}ResultSummary/{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
exit $rc
