#!/usr/bin/env bash
# After a pass of `make test`: print how long it took and keep the figure in var/test-times/<pass>.json, where
# `make bench` reads it for its table. Arguments: the pass (sqlite or postgresql), its start (epoch s), its exit status.
set -euo pipefail
pass=$1 start=$2 status=$3
seconds=$(( $(date +%s) - start ))
declare -A names=([sqlite]=SQLite [postgresql]=PostgreSQL)
echo "${names[$pass]} pass: ${seconds} s"
mkdir -p var/test-times
printf '{"pass": "%s", "seconds": %d, "exit_status": %d, "finished": "%s", "commit": "%s"}\n' \
  "$pass" "$seconds" "$status" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  > "var/test-times/$pass.json"
