#!/usr/bin/env bash
# Runs a sample with -Dreport, renders its HTML checkpoint report in headless Chromium, and checks
# what the browser shows: the heading, a timeline bar per checkpoint in the table, a subtask
# breakdown and the failed attempt. Leaves report.html and report.png in the output directory.
#
#   samples/scripts/render-checkpoint-report.sh [output-directory] [sample main class]
#
# Needs Chromium (Debian: apt-get install chromium) and runs from the project root.
set -euo pipefail

out="${1:-target/checkpoint-report}"
main="${2:-dev.snapflow.samples.resume.RecoverFromFailure}"
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}"
if [[ -z "$browser" ]]; then
  echo "No Chromium found: install it (apt-get install chromium) or set CHROMIUM" >&2
  exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

mvn -q -pl samples -am compile exec:java -Dexec.mainClass="$main" -Dreport="$out/report.html"

# The flags keep a headless Chromium off the network: the page must need nothing from it.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$out/chromium-profile")
"$browser" "${flags[@]}" --window-size=1150,1400 --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
"$browser" "${flags[@]}" --dump-dom "file://$out/report.html" 2>/dev/null > "$out/rendered.html"

rows=$(grep -o '<tr><td><a href="#checkpoint-' "$out/rendered.html" | wc -l)
bars=$(grep -o '<rect x=' "$out/rendered.html" | wc -l)
opened=$(grep -o '<details id="checkpoint-[0-9]*" open=""' "$out/rendered.html" | wc -l)
failed=$(grep -o 'attempt [0-9]* failed in' "$out/rendered.html" | wc -l)
echo "rendered: checkpoints in the table=$rows timeline bars=$bars subtask breakdowns open=$opened failed attempts on the timeline=$failed"
echo "screenshot: $out/report.png"
grep -q '<h1>Checkpoints of job' "$out/rendered.html"
[[ "$rows" -gt 0 && "$rows" -eq "$bars" && "$opened" -eq 1 ]]
