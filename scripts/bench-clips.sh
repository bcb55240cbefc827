#!/usr/bin/env bash
# Makes the clips `infokiosk bench video` was measured with (README table),
# moving SMPTE bars, 10 s at 30 frames/s: H.264 High 4:2:0 8-bit as cameras
# and editors export it (1080p at 8 Mbit/s, 720p at 4 Mbit/s); H.264 4:4:4
# as x264 makes it from screen recordings (1080p, 8 Mbit/s); HEVC Main10 as
# phones record it (1080p, 8 Mbit/s, HLG signalled).
set -euo pipefail
out=${1:-/tmp/infokiosk-bench}
mkdir -p "$out"
clip() { # name, width, height, raw caps, encoder and parser
  gst-launch-1.0 -q videotestsrc num-buffers=300 pattern=smpte horizontal-speed=4 \
    ! "video/x-raw,width=$2,height=$3,framerate=30/1,$4" \
    ! $5 ! mp4mux ! filesink location="$out/$1"
}
clip bench-1080p30.mp4 1920 1080 format=I420 \
  "x264enc bitrate=8000 speed-preset=medium ! video/x-h264,profile=high ! h264parse"
clip bench-720p30.mp4 1280 720 format=I420 \
  "x264enc bitrate=4000 speed-preset=medium ! video/x-h264,profile=high ! h264parse"
clip bench-1080p30-444.mp4 1920 1080 format=Y444 \
  "x264enc bitrate=8000 speed-preset=medium ! h264parse"
clip bench-1080p30-hevc10.mp4 1920 1080 format=I420_10LE,colorimetry=bt2100-hlg \
  "x265enc bitrate=8000 speed-preset=medium ! h265parse"
ls -l "$out"/bench-*.mp4
