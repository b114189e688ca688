# Fresh machine: node, npm, python3 and apt are enough. Every target installs what it needs.
BUN  := ./node_modules/.bin/bun
DENO := ./node_modules/.bin/deno
BIN  := dist/active-sampling
# The same program for linux-arm64 (Graviton), cross-compiled with bun's arm64 runtime: the npm
# package @oven/bun-linux-aarch64 at the version and hash package-lock.json pins (see
# scripts/bun-runtime.sh; fetched once through npm, then from npm's cache, offline).
BIN_ARM64 := dist/active-sampling-linux-arm64
ARM64_RUNTIME := .cache/bun-linux-aarch64
# Extra `bun build` flags for both binaries, e.g. --sourcemap.
BUN_BUILD_FLAGS ?=
SOURCES := $(shell find src ffi -name '*.ts')
EXAMPLE := examples/fashion_mnist

.PHONY: docker-smoke scale-demo typecheck setup setup-blas setup-browser setup-data setup-arm64 build demo test deno-smoke arm64-smoke bench docker clean

# npm ci deletes and refills node_modules. Where node_modules is a link to another checkout's
# install (a git worktree sharing main's packages), that would empty the install every linked
# worktree uses, so there nothing runs npm ci: the install belongs to the checkout it lives in.
INSTALLED := $(if $(shell [ -L node_modules ] && echo link),,node_modules/.installed)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(INSTALLED) setup-blas

# OpenBLAS is optional: without it the pure-TypeScript backend runs (with one warning).
setup-blas:
	@if ldconfig -p 2>/dev/null | grep -q libopenblas.so.0; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -qq libopenblas0-pthread >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq libopenblas0-pthread >/dev/null)) || \
		{ echo "warning: could not install libopenblas0-pthread; the TypeScript backend will be used"; [ -z "$$CI" ] || exit 1; }; \
	else echo "note: libopenblas0-pthread is not installed and apt is not available as root; the TypeScript backend will be used"; fi

# Debian's dataset-fashion-mnist (the raw images): the projection tests and bench/fashion-mnist.ts read it.
setup-data:
	@if [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null)) || \
		{ echo "warning: could not install dataset-fashion-mnist; the raw-image tests will be skipped"; [ -z "$$CI" ] || exit 1; }; \
	else echo "note: dataset-fashion-mnist is not installed and apt is not available as root; the raw-image tests will be skipped"; fi

# Headless Chromium for the report's browser test (skipped with a reason when absent).
setup-browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) || \
		{ echo "warning: could not install chromium; the browser test will be skipped"; [ -z "$$CI" ] || exit 1; }; \
	fi

$(BIN): $(INSTALLED) $(SOURCES) package.json
	$(BUN) build --compile --minify $(BUN_BUILD_FLAGS) src/main.ts --outfile $(BIN)

$(ARM64_RUNTIME): package-lock.json scripts/bun-runtime.sh
	scripts/bun-runtime.sh linux-aarch64 $@

$(BIN_ARM64): $(INSTALLED) $(ARM64_RUNTIME) $(SOURCES) package.json
	$(BUN) build --compile --minify $(BUN_BUILD_FLAGS) --target=bun-linux-arm64 --compile-executable-path $(ARM64_RUNTIME) src/main.ts --outfile $(BIN_ARM64)

build: $(BIN) $(BIN_ARM64)

# Selects 100 rows for labelling from the bundled example and prints a summary.
demo: setup $(BIN)
	rm -rf out/demo
	$(BIN) --strategy badge --batch-size 100 --input $(EXAMPLE)/pool --labeled $(EXAMPLE)/labeled --output out/demo
	@echo
	@$(BUN) scripts/demo-summary.ts out/demo

# Every test runs with its own empty TMPDIR; a run that leaves anything in it fails (tests clean up).
test: setup setup-browser setup-data typecheck
	@scratch=$$(mktemp -d) && TMPDIR=$$scratch $(BUN) test; status=$$?; left=$$(ls -A "$$scratch" | head -5); rm -rf "$$scratch"; \
	if [ -n "$$left" ]; then echo "the test run left files in its temporary directory: $$left" >&2; exit 1; fi; exit $$status
	$(MAKE) --no-print-directory deno-smoke

typecheck: $(INSTALLED)
	./node_modules/.bin/tsc --noEmit -p .

# The same CLI under Deno (Deno.dlopen for OpenBLAS) on the bundled example: it must select
# byte for byte what Bun selects.
deno-smoke: $(INSTALLED)
	$(DENO) task test-smoke
	$(DENO) run --allow-read --allow-env --allow-sys --allow-ffi test/engine/deno_threads_smoke.ts
	@rm -rf out/bun-smoke && $(BUN) src/main.ts --strategy diversity --batch-size 50 --metric cosine --input $(EXAMPLE)/pool --labeled $(EXAMPLE)/labeled --output out/bun-smoke --quiet
	@cmp out/deno-smoke/selected_samples.csv out/bun-smoke/selected_samples.csv && echo "deno smoke: same selection as under Bun"

# qemu-user and the arm64 C library and OpenBLAS (Debian multiarch), to run $(BIN_ARM64) here.
setup-arm64:
	@if command -v qemu-aarch64-static >/dev/null && [ -e /lib/ld-linux-aarch64.so.1 ] && \
		[ -e /usr/lib/aarch64-linux-gnu/libopenblas.so.0 ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		dpkg --add-architecture arm64 && \
		(apt-get install -y -qq qemu-user-static libc6:arm64 libopenblas0-pthread:arm64 >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq qemu-user-static libc6:arm64 libopenblas0-pthread:arm64 >/dev/null)); \
	else echo "arm64-smoke needs qemu-user-static, libc6:arm64 and libopenblas0-pthread:arm64 (apt, as root)" >&2; exit 1; fi

# Runs $(BIN_ARM64) under qemu on the example: the arm64 OpenBLAS must load and the selection
# must equal the x86_64 binary's byte for byte (scripts/arm64-smoke.sh).
arm64-smoke: setup-blas setup-arm64 $(BIN) $(BIN_ARM64)
	scripts/arm64-smoke.sh $(BIN) $(BIN_ARM64) out/arm64-smoke

# N map processes (--host/--hosts) and a merge, against one process on the whole pool.
scale-demo: setup $(BIN)
	$(BUN) scripts/scale-demo.ts --hosts 4 --batch 200 --seeds 1,2,3,4,5,6,7,8

bench: setup
	$(BUN) bench/run.ts

docker: $(BIN)
	scripts/ensure-docker.sh && scripts/docker-base.sh && docker build -t active-sampling .

# Builds the image and runs it as SageMaker Processing does (scripts/docker-smoke.sh); starts
# Debian's docker.io daemon when none runs, and builds the slim base with debootstrap when
# Docker Hub is out of reach.
docker-smoke: $(BIN)
	scripts/docker-smoke.sh $(BIN)

clean:
	rm -rf dist out .cache
