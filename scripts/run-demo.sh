#!/usr/bin/env bash
# Plays the bundled demo in a window. Outside operating hours the player
# would (rightly) show black, so the demo then starts the player's clock at
# 08:00 today, Asia/Ho_Chi_Minh, and says so.
set -euo pipefail
bin=$1; data=$2; shift 2
cd "$(dirname "$0")/.."
args=(run --windowed --config config/infokiosk.yaml --content assets/demo --data "$data" "$@")
if "$bin" schedule --config config/infokiosk.yaml --json | grep -q '"state": "closed"'; then
  start="$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)T08:00:00+07:00"
  echo "The screens are closed now (operating hours 07:00-11:00, 14:00-18:00 Asia/Ho_Chi_Minh)."
  echo "Demo: starting the player's clock at $start (--clock) so that content shows."
  args+=(--clock "$start")
fi
exec "$bin" "${args[@]}"
