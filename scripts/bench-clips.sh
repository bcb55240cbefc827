#!/usr/bin/env bash
# Makes the clips `infokiosk bench video` was measured with (README table):
# H.264 High, 4:2:0 8-bit as cameras and editors export it, moving SMPTE
# bars at 8 Mbit/s (1080p30, 10 s) and 4 Mbit/s (720p30, 10 s).
set -euo pipefail
out=${1:-/tmp/infokiosk-bench}
mkdir -p "$out"
clip() { # name, width, height, kbit/s
  gst-launch-1.0 -q videotestsrc num-buffers=300 pattern=smpte horizontal-speed=4 \
    ! "video/x-raw,format=I420,width=$2,height=$3,framerate=30/1" \
    ! x264enc bitrate="$4" speed-preset=medium ! video/x-h264,profile=high \
    ! h264parse ! mp4mux ! filesink location="$out/$1"
}
clip bench-1080p30.mp4 1920 1080 8000
clip bench-720p30.mp4 1280 720 4000
ls -l "$out"/bench-*.mp4
