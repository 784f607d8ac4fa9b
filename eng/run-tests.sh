#!/usr/bin/env bash
# Runs every test project of pipeline.sln and ends with one line "N passed, N failed, N skipped" (totals).
set -uo pipefail
config="${1:-Release}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Build the whole solution first: some tests run the built applications (build/vae-serve's projects), which
# 'dotnet test' alone may not have finished building when a test project starts.
dotnet build pipeline.sln -c "$config" -nologo -v:q 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  # a test that hangs fails after 10 minutes naming itself, with a dump of its host, instead of stalling the run
  dotnet test pipeline.sln -c "$config" --no-build -nologo --blame-hang-timeout 10m --blame-hang-dump-type mini 2>&1 | tee -a "$log"
  status=${PIPESTATUS[0]}
fi
# VSTest prints one summary per test project: "Passed!  - Failed:     0, Passed:    24, Skipped: ..."
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- Failed: / {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i+1) + 0 }
      if ($i == "Passed:")  { p += $(i+1) + 0 }
      if ($i == "Skipped:") { s += $(i+1) + 0 }
    }
  }
  END { print p + 0, f + 0, s + 0 }' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or the test host failed before any test could report
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
