# Fresh machine: node, npm, python3 and apt are enough. Every target installs what it needs.
BUN  := ./node_modules/.bin/bun
DENO := ./node_modules/.bin/deno
BIN  := dist/active-sampling
EXAMPLE := examples/fashion_mnist

.PHONY: setup setup-blas setup-browser build demo test test-unit deno-smoke bench docker clean

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: node_modules/.installed setup-blas

# OpenBLAS is optional: without it the pure-TypeScript backend runs (with one warning).
setup-blas:
	@if ldconfig -p 2>/dev/null | grep -q libopenblas.so.0; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -qq libopenblas0-pthread >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq libopenblas0-pthread >/dev/null)) || \
		echo "warning: could not install libopenblas0-pthread; the TypeScript backend will be used"; \
	else echo "note: libopenblas0-pthread is not installed and apt is not available as root; the TypeScript backend will be used"; fi

# Headless Chromium for the report's browser test (skipped with a reason when absent).
setup-browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) || \
		echo "warning: could not install chromium; the browser test will be skipped"; \
	fi

$(BIN): node_modules/.installed $(shell find src ffi -name '*.ts') package.json
	$(BUN) build --compile --minify src/main.ts --outfile $(BIN)

build: $(BIN)

# Selects 100 rows for labelling from the bundled example and prints a summary.
demo: setup build
	rm -rf out/demo
	$(BIN) --strategy badge --batch-size 100 --input $(EXAMPLE)/pool --labeled $(EXAMPLE)/labeled --output out/demo
	@echo; echo "== out/demo"; ls -l out/demo
	@echo; echo "== first rows of selected_samples.csv (id, scores, rank)"; \
		head -6 out/demo/selected_samples.csv | cut -d, -f1,3-4,45-46
	@echo; node -e 'const m=require("./out/demo/selection_metadata.json"); \
		console.log(`$${m.strategy}: selected $${m.selected_count} of $${m.pool_size} rows, $${m.blas.backend} backend, $${m.timings_ms.selectMs} ms to select`); \
		console.log("predicted classes selected:", JSON.stringify(m.class_distribution.selected))'

test: setup setup-browser
	$(BUN) test
	$(MAKE) --no-print-directory deno-smoke

# The same CLI under Deno (Deno.dlopen for OpenBLAS) on the bundled example.
deno-smoke: node_modules/.installed
	$(DENO) task test-smoke

bench: setup
	$(BUN) bench/run.ts

docker:
	docker build -t active-sampling .

clean:
	rm -rf dist out
