#!/usr/bin/env bash
# Makes the README's pictures of the captions band (each demo clip with the
# captions of the two other languages, at 1280x720 and 1920x1080) and of a
# text slide over its background picture, drawn by the player itself under
# Xvfb, scaled to 960 px wide: docs/img/captions-LANG-WxH.jpg,
# captions-ticker.png, captions-long-1280x720.jpg, slide-bg-km-1920x1080.jpg.
# Usage: scripts/readme-shots.sh [PATH/TO/infokiosk]
# Needs: xvfb-run, imagemagick (convert).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/infokiosk}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Inside operating hours, whatever the time now.
clock="$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)T08:00:00+07:00"

# name, WxH, content folder, config lines, seconds before the shot
shot() {
  local name=$1 size=$2 content=$3 extra=$4 at=$5
  cat >"$work/$name.yaml" <<EOF
kiosk_id: readme
content_dir: $content
data_dir: $work/data-$name
outbox_dir: $work/outbox-$name
display:
  backend: none
$extra
EOF
  xvfb-run -a -s "-screen 0 ${size}x24" "$bin" run --windowed --window-size "$size" \
    --config "$work/$name.yaml" --clock "$clock" \
    --screenshot-at "$at:$work/$name.png" --exit-after "$((at + 1))" >"$work/$name.log" 2>&1 ||
    { cat "$work/$name.log"; exit 1; }
  local picture=docs/img/$name.jpg
  [[ $name == *.png ]] && picture=docs/img/$name
  convert "$work/$name.png" -resize 960x -strip -quality 82 "$picture"
  echo "$picture"
}

# One clip each, with the demo's three caption files; its own language is
# not captioned, so the band holds the two others, stacked.
for lang in vi en km; do
  mkdir -p "$work/clip-$lang"
  # -p: a file modified just now would wait to settle.
  cp -p "assets/demo/intro.$lang.mp4" assets/demo/intro.*.srt "$work/clip-$lang/"
  for size in 1280x720 1920x1080; do
    shot "captions-$lang-$size" "$size" "$work/clip-$lang" \
      "ticker:
  enabled: false
captions:
  languages: [vi, en, km]
  band_height: 0.12" 4
  done
done

# The band on top of the ticker: the Vietnamese clip, Khmer and English
# captions, the Vietnamese ticker.
mkdir -p "$work/ticker"
cp -p assets/demo/intro.vi.mp4 assets/demo/intro.*.srt assets/demo/ticker.vi.txt "$work/ticker/"
shot captions-ticker.png 1280x720 "$work/ticker" "captions: [km, en]" 4

# Long cues: the Vietnamese one wraps to two lines, and both rows shrink to
# fit the band.
mkdir -p "$work/long"
cp -p assets/demo/intro.en.mp4 "$work/long/"
printf '1\n00:00:00,200 --> 00:00:05,800\n%s\n' \
  'Cửa khẩu Quốc tế Tịnh Biên mở cửa hằng ngày từ 7 giờ sáng đến 6 giờ chiều, kể cả thứ Bảy, Chủ nhật và ngày lễ; xin chuẩn bị hộ chiếu trước khi đến quầy.' \
  >"$work/long/intro.vi.srt"
printf '1\n00:00:00,200 --> 00:00:05,800\n%s\n' \
  'ច្រកព្រំដែនអន្តរជាតិទិញបៀន បើកដំណើរការរៀងរាល់ថ្ងៃ រួមទាំងថ្ងៃសៅរ៍ ថ្ងៃអាទិត្យ និងថ្ងៃបុណ្យ ចាប់ពីម៉ោង ៧ ព្រឹក ដល់ម៉ោង ៦ ល្ងាច។' \
  >"$work/long/intro.km.srt"
touch -d '1 hour ago' "$work/long/"*.srt
shot captions-long-1280x720 1280x720 "$work/long" "ticker:
  enabled: false
captions:
  languages: [vi, km]" 4

# The Khmer notice over a background picture of its own.
mkdir -p "$work/slide"
cp -p assets/demo/tin-tuc.km.md "$work/slide/"
convert -size 1920x1080 -seed 19 plasma:'#1c6e8c-#0b2545' -blur 0x6 \
  "$work/slide/tin-tuc.km.bg.png"
touch -d '1 hour ago' "$work/slide/tin-tuc.km.bg.png"
shot slide-bg-km-1920x1080 1920x1080 "$work/slide" "ticker:
  enabled: false" 4
