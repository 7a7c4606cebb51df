#!/bin/sh
# ctest's brief fuzz run: a fresh folder for what this run learns (libFuzzer writes new inputs into the first
# corpus folder, and a crashing input into the artifact prefix), then the fuzzer with the rest of the arguments.
#   brief.sh <work folder> <fuzzer> [libFuzzer arguments...]
set -eu
work="$1"; shift
rm -rf "$work"
mkdir -p "$work/corpus"
exec "$@"
