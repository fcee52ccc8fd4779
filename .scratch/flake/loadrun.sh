#!/usr/bin/env bash
# Runs one test file (optionally one name pattern) N times in a row with BUSY busy-loop processes beside it
# (default 2: the at-most-2 extra CPU hogs), then kills exactly those busy loops (by pid).
# Usage: .scratch/flake/loadrun.sh N 'name pattern or empty' test/path/file.test.ts [BUSY]
# Output: one line per run (pass/fail, seconds); failing runs' output in .scratch/flake/logs/.
set -u
cd "$(dirname "$0")/../.."
N=$1; PAT=$2; FILE=$3; BUSY=${4:-2}
mkdir -p .scratch/flake/logs
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT INT TERM
for ((b = 0; b < BUSY; b++)); do node -e 'for(;;){}' & pids+=($!); done
tag=$(basename "$FILE" .test.ts)-$(echo "$PAT" | tr -c 'a-zA-Z0-9' '_' | cut -c1-30)
fails=0
for ((i = 1; i <= N; i++)); do
  s=$(date +%s.%N)
  out=$(node --import tsx --import ./test/setup.ts --test ${PAT:+--test-name-pattern="$PAT"} "$FILE" 2>&1)
  rc=$?
  d=$(echo "$(date +%s.%N) - $s" | bc | cut -c1-5)
  if [ $rc -ne 0 ]; then fails=$((fails + 1)); echo "$out" > ".scratch/flake/logs/$tag-run$i.log"; echo "run $i FAIL ${d}s: $(echo "$out" | grep -m3 -E "Error|error:|assert|gave up|timed out" | tr '\n' ' ' | cut -c1-300)"; else echo "run $i pass ${d}s"; fi
done
echo "SUMMARY $FILE [$PAT] busy=$BUSY: $fails failed of $N"
