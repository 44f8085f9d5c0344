#!/usr/bin/env bash
# Regenerates the README's pictures (docs/*.png) from the lessons. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/kjobsim
for lesson in completions-and-parallelism backoff-limit indexed work-queue; do
  "$bin" run "scenarios/$lesson.yaml" --format png --out "$tmp/$lesson" >/dev/null
  cp "$tmp/$lesson/timeline.png" "docs/timeline-$lesson.png"
done
cp "$tmp/indexed/concurrency.png" docs/concurrency-indexed.png
"$bin" compare scenarios/compare-modes.yaml --format png --out "$tmp/compare" >/dev/null
cp "$tmp/compare/compare.png" docs/compare-modes.png
