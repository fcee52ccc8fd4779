#!/usr/bin/env bash
# Runs a list of test files/patterns repeatedly with 2 busy-loop processes beside them (started once, killed by
# pid at the end), stopping new runs after DEADLINE (HH:MM:SS UTC, default 14:07:00).
# Spec lines on stdin: N|name pattern (may be empty)|test/path/file.test.ts
# Output: one line per run; failing runs' output in .scratch/flake/logs/.
set -u
cd "$(dirname "$0")/../.."
DEADLINE=${DEADLINE:-14:07:00}; BUSY=${BUSY:-2}
mkdir -p .scratch/flake/logs
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT INT TERM
for ((b = 0; b < BUSY; b++)); do node -e 'for(;;){}' & pids+=($!); done
echo "busy pids: ${pids[*]}"
mapfile -t specs
for spec in "${specs[@]}"; do
  IFS='|' read -r N PAT FILE <<<"$spec"
  tag=$(basename "$FILE" .test.ts)-$(echo "$PAT" | tr -c 'a-zA-Z0-9' '_' | cut -c1-24)
  fails=0; runs=0
  for ((i = 1; i <= N; i++)); do
    [[ $(date -u +%T) > $DEADLINE ]] && break
    s=$(date +%s.%N)
    out=$(timeout 300 node --import tsx --import ./test/setup.ts --test ${PAT:+--test-name-pattern="$PAT"} "$FILE" 2>&1)
    rc=$?; runs=$((runs + 1))
    d=$(echo "$(date +%s.%N) - $s" | bc | cut -c1-5)
    if [ $rc -ne 0 ]; then
      fails=$((fails + 1)); echo "$out" > ".scratch/flake/logs/$tag-run$i.log"
      echo "  $tag run $i FAIL ${d}s: $(echo "$out" | grep -m4 -E "Error|error:|gave up|timed out|expected|refused after" | tr -s ' \n' ' ' | cut -c1-400)"
    else echo "  $tag run $i pass ${d}s $(echo "$out" | grep -E '^# (guest|connect|ROUNDS|A did not|WITHDRAW|DECLINED)' | tr '\n' ' ')"; fi
  done
  echo "SUMMARY $FILE [$PAT] busy=$BUSY: $fails failed of $runs"
done
