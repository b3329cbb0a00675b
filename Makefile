# cwb — colorization workbench.  `make demo` is the main job, `make test` the tests.
SHELL := /bin/bash
DEBIAN_PACKAGES := libopenblas-dev libpng-dev libjpeg62-turbo-dev libreadline-dev gnuplot-nox pkg-config
# Only the tests need these (the REPL's pseudo-terminal test drives cwb under tmux).
TEST_PACKAGES := tmux
SWIFT ?= swift
RELEASE_BIN = .build/release/cwb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps test-deps install-missing build release test demo bench overfit clean

all: build

# Install the Debian packages that are missing (nothing is downloaded when all are present).
deps:
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(DEBIAN_PACKAGES)"

test-deps: deps
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(TEST_PACKAGES)"

install-missing:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: test-deps
	$(SWIFT) build
	mkdir -p .build; $(SWIFT) test 2>&1 | tee .build/test.log; status=$${PIPESTATUS[0]}; \
	passed=$$(grep -cE "^Test Case .* passed" .build/test.log); \
	failed=$$(grep -cE "^Test Case .* failed" .build/test.log); \
	echo "$$passed passed, $$failed failed"; exit $$status

demo: release
	$(RELEASE_BIN) run Notebooks/03-final-unet.cwb --report Plots/03-final-unet.md

bench: release
	$(RELEASE_BIN) bench kernels
	$(RELEASE_BIN) bench unet
	$(RELEASE_BIN) bench loader

# Each of the study's three models overfits one batch of 8 real photos (minutes, release).
overfit: release
	$(RELEASE_BIN) bench overfit

clean:
	rm -rf .build
