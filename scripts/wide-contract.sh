#!/usr/bin/env bash
# Writes one contract whose payload has N properties, for measuring what
# evc needs on very wide schemas (README, "Memory").
#
#   scripts/wide-contract.sh N DIR minor   # 1.0.0 and a 1.1.0 that changes every property's type
#   scripts/wide-contract.sh N DIR old     # 1.0.0 alone, as released
#   scripts/wide-contract.sh N DIR edited  # 1.0.0 with every property's type changed in place
#
# then `evc lint DIR` (minor), or `evc breaking EDITED --against OLD`.
set -euo pipefail
n="${1:?number of properties}"
dir="${2:?output directory}"
mode="${3:?minor, old or edited}"
mkdir -p "$dir"

version() { # VERSION TYPE
  printf '  - version: %s\n    description: Release.\n    schema:\n' "$1"
  printf '      type: object\n      additionalProperties: false\n      properties: {'
  awk -v n="$n" -v type="$2" 'BEGIN {
    for (i = 0; i < n; i++) printf "%sp%d: {type: %s}", (i ? ", " : ""), i, type
  }'
  printf '}\n'
}

{
  printf 'event: WideThingHappened\nnamespace: com.example.wide\n'
  printf 'description: A very wide event.\nversions:\n'
  case "$mode" in
    minor) version 1.0.0 string; version 1.1.0 integer ;;
    old) version 1.0.0 string ;;
    edited) version 1.0.0 integer ;;
    *) echo "unknown mode: $mode" >&2; exit 2 ;;
  esac
} > "$dir/wide.yaml"
