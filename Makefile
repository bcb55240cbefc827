# infokiosk: `make run` plays the demo in a window, `make test` runs all tests.
# Both first install the Debian packages that are missing (and say which).

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/infokiosk/target
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_DATA ?= $(HOME)/.local/share/infokiosk-demo

DEBIAN_PACKAGES := \
	libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev \
	gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
	gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools \
	libasound2-dev libudev-dev libwayland-dev libxkbcommon-dev \
	xvfb xauth x11-xserver-utils mesa-vulkan-drivers libvulkan1 clang mold pkg-config xdotool \
	minisign

.PHONY: deps build run test fmt clippy demo-content deb

deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing missing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust 1.95 with rustup"; exit 1; }

build: deps
	$(CARGO) build

run: build
	scripts/run-demo.sh "$(CARGO_TARGET_DIR)/debug/infokiosk" "$(DEMO_DATA)" $(RUN_ARGS)

test: deps
	$(CARGO) test

fmt:
	$(CARGO) fmt

clippy:
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy --no-default-features --lib -- -D warnings

# Regenerates the bundled demo content (needs imagemagick and fonts-noto-core).
demo-content:
	scripts/make-demo.sh

# The kiosk package: $(CARGO_TARGET_DIR)/debian/infokiosk_<version>-1_amd64.deb
# (a release build). The unit is checked first; systemd-analyze needs xinit.
deb: deps
	@command -v cargo-deb >/dev/null || $(CARGO) install cargo-deb --locked
	@command -v xinit >/dev/null || $(SUDO) apt-get install -y -qq --no-install-recommends xinit
	systemd-analyze verify packaging/systemd/infokiosk.service
	$(CARGO) deb --locked
	@ls -1 $(CARGO_TARGET_DIR)/debian/*.deb
