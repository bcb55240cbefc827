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
	minisign imagemagick tar zstd coreutils procps mount syncthing

# Every program the tests and scripts/ start, and the package that brings it.
TEST_PROGRAMS := gst-launch-1.0:gstreamer1.0-tools xvfb-run:xvfb Xvfb:xvfb xauth:xauth \
	import:imagemagick xdotool:xdotool minisign:minisign tar:tar zstd:zstd \
	sha256sum:coreutils kill:procps pgrep:procps mount:mount umount:mount \
	clang:clang mold:mold pkg-config:pkg-config syncthing:syncthing

.PHONY: deps programs build run test fmt clippy demo-content deb fuzz

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

# Fails before the build, naming each program the tests need and cannot find.
programs: deps
	@missing=""; \
	for entry in $(TEST_PROGRAMS); do \
		command -v "$${entry%%:*}" >/dev/null || missing="$$missing $${entry%%:*} (package $${entry##*:})"; \
	done; \
	if [ -n "$$missing" ]; then echo "The tests need programs that are missing:$$missing"; exit 1; fi

test: programs
	$(CARGO) test

fmt:
	$(CARGO) fmt

clippy:
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy --no-default-features --lib -- -D warnings

# Regenerates the bundled demo content (needs imagemagick and fonts-noto-core).
demo-content:
	scripts/make-demo.sh

# The kiosk package: $(CARGO_TARGET_DIR)/debian/infokiosk_<version>-1_amd64.deb,
# from a release build. `make deb DEB_PROFILE=dev` packages the debug build
# instead, to check the packaging in minutes rather than a release build's
# 40 (for trying only, never for a kiosk). The unit is checked first
# (systemd-analyze needs xinit), the package last: lintian fails the target on
# any error or warning not overridden in packaging/lintian-overrides (each
# override is explained in packaging/README.md).
DEB_PROFILE ?= release
DEB_DIR = $(CARGO_TARGET_DIR)/$(if $(filter dev,$(DEB_PROFILE)),debug,$(DEB_PROFILE))

deb: deps
	@command -v cargo-deb >/dev/null || $(CARGO) install cargo-deb --locked
	@for p in xinit lintian; do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi
	systemd-analyze verify packaging/systemd/infokiosk.service
	$(CARGO) build --profile $(DEB_PROFILE) --locked
	rm -rf $(DEB_DIR)/man $(DEB_DIR)/completions
	$(DEB_DIR)/infokiosk man --out $(DEB_DIR)/man
	gzip -9n $(DEB_DIR)/man/*.1
	mkdir -p $(DEB_DIR)/completions
	$(DEB_DIR)/infokiosk completions bash > $(DEB_DIR)/completions/infokiosk
	@rm -f $(CARGO_TARGET_DIR)/debian/*.deb
	$(CARGO) deb --locked --no-build --profile $(DEB_PROFILE)
	lintian --info --fail-on error,warning $(CARGO_TARGET_DIR)/debian/*.deb
	@ls -1 $(CARGO_TARGET_DIR)/debian/*.deb

# Fuzzes the parsers (fuzz/, cargo-fuzz on the nightly toolchain) for
# FUZZ_SECONDS each. The seeds in fuzz/corpus are only read: new inputs go to
# $(FUZZ_WORK)/corpus, logs to $(FUZZ_WORK)/logs, crashes to fuzz/artifacts/
# (ignored by git). Not part of `make test`.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config manifest control subtitles journal
FUZZ_WORK ?= $(HOME)/.cache/infokiosk/fuzz-work
FUZZ_TARGET_DIR ?= $(HOME)/.cache/infokiosk/fuzz-target
# The targets write their input to files (as the player reads them) thousands of
# times a second: in memory where possible, a write to disk can take a millisecond.
FUZZ_SCRATCH ?= $(shell [ -w /dev/shm ] && echo /dev/shm/infokiosk-fuzz || echo $(FUZZ_WORK)/tmp)

# Inputs up to 64 KiB; the journal reader reads a file's last 64 KiB first,
# then more, so its inputs go up to 256 KiB.
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	$(CARGO) +nightly fuzz build --target-dir $(FUZZ_TARGET_DIR)
	@crashed=""; \
	for target in $(FUZZ_TARGETS); do \
		corpus=$(FUZZ_WORK)/corpus/$$target; scratch=$(FUZZ_SCRATCH)/$$target; \
		log=$(FUZZ_WORK)/logs/$$target.log; \
		mkdir -p $$corpus $$scratch $(FUZZ_WORK)/logs; \
		max_len=$$(case $$target in journal) echo 262144;; *) echo 65536;; esac); \
		TMPDIR=$$scratch $(CARGO) +nightly fuzz run --target-dir $(FUZZ_TARGET_DIR) \
			$$target $$corpus fuzz/corpus/$$target -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=$$max_len \
			-timeout=10 -print_final_stats=1 >$$log 2>&1; \
		status=$$?; rm -rf $$scratch; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
		if [ $$status = 0 ]; then \
			echo "fuzz $$target: $${runs:-?} executions in $(FUZZ_SECONDS) s, no crash"; \
		else \
			echo "fuzz $$target: CRASH after $${runs:-?} executions: see $$log and fuzz/artifacts/$$target/"; \
			crashed="$$crashed $$target"; \
		fi; \
	done; \
	rmdir $(FUZZ_SCRATCH) 2>/dev/null; \
	[ -z "$$crashed" ] || { echo "crashed:$$crashed"; exit 1; }
