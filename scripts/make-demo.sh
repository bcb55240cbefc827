#!/usr/bin/env bash
# Makes the bundled demo content: trilingual welcome cards, a neutral
# opening-hours card and a short trilingual clip with sound. The outputs are
# committed; run this again only to change them.
# Needs: imagemagick (with pango), fonts-noto-core, gstreamer1.0-tools,
# gstreamer1.0-plugins-{base,good,ugly}, gstreamer1.0-libav.
set -euo pipefail
cd "$(dirname "$0")/../assets/demo"

card() { # out, background gradient, title, subtitle
  convert -size 1920x1080 "gradient:$2" \
    \( -background none -size 1700x -define pango:align=center \
       pango:"<span font='Noto Sans Bold 86' foreground='white'>$3</span>
<span font='Noto Sans 44' foreground='#e8eef8'>$4</span>" \) \
    -gravity center -composite -strip "$1"
}

card welcome.vi.png '#0b3d91-#1a7f5a' 'Chào mừng đến Tịnh Biên' 'Cửa khẩu Quốc tế Tịnh Biên · An Giang'
card welcome.en.png '#0b3d91-#1a7f5a' 'Welcome to Tinh Bien' 'Tinh Bien International Border Gate · An Giang'
card welcome.km.png '#0b3d91-#1a7f5a' "<span font='Noto Sans Khmer Bold 80'>សូមស្វាគមន៍មកកាន់ទិញបៀន</span>" "<span font='Noto Sans Khmer 42'>ច្រកព្រំដែនអន្តរជាតិ ទិញបៀន</span>"
card hours.png '#202830-#3a4654' '07:00–11:00 · 14:00–18:00' 'Giờ hoạt động · Opening hours · <span font="Noto Sans Khmer 42">ម៉ោងបើក</span>'

clip() { # out, pattern, caption
  gst-launch-1.0 -q \
    videotestsrc num-buffers=180 pattern="$2" ! video/x-raw,width=1280,height=720,framerate=30/1 \
    ! textoverlay text="$3" font-desc="Noto Sans, Noto Sans Khmer 40" valignment=bottom halignment=center \
    ! videoconvert ! x264enc bitrate=700 speed-preset=medium key-int-max=30 ! h264parse ! mp4mux name=mux \
    ! filesink location="$1" \
    audiotestsrc num-buffers=259 wave=sine freq=440 volume=0.2 ! audioconvert ! avenc_aac ! mux.
}

clip intro.vi.mp4 ball 'Thông tin cơ sở · Tiếng Việt'
clip intro.en.mp4 smpte 'Community information · English'
clip intro.km.mp4 pinwheel 'ព័ត៌មានមូលដ្ឋាន · ភាសាខ្មែរ'
ls -la
