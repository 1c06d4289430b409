# kam — make targets. `make nightly` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PIPELINE ?= pipelines/nightly.yaml
BENCH_DIR ?= var/bench

FUZZ_RUNS ?= 5000000

.PHONY: setup build nightly test bench bench-clv bench-peers clean golden format fuzz review-check review-tools

## setup: install libcsv-dev, libsqlite3-dev and libxlsxwriter-dev when missing (apt-get update first), then build
## kam (release).
setup:
	@missing=""; \
	[ -f /usr/include/csv.h ] || missing="$$missing libcsv-dev"; \
	[ -f /usr/include/sqlite3.h ] || missing="$$missing libsqlite3-dev"; \
	[ -f /usr/include/xlsxwriter.h ] || missing="$$missing libxlsxwriter-dev"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi
	$(SWIFT) build -c release --product kam

build: setup

## nightly: run the demo pipeline on the committed fixtures into out/nightly.
nightly: setup
	.build/release/kam run $(PIPELINE)

## test: the whole test suite (debug build).
test: setup
	$(SWIFT) test

## bench: release-built benchmarks against a plain C libcsv loop, on generated data in var/bench.
bench: setup
	$(SWIFT) build -c release --product kam-bench
	mkdir -p $(BENCH_DIR)
	cc -O2 -o $(BENCH_DIR)/libcsv_baseline Benchmarks/libcsv_baseline.c -lcsv
	.build/release/kam-bench --work $(BENCH_DIR) --baseline $(BENCH_DIR)/libcsv_baseline

## bench-clv: CLV as a ranking of realised revenue, against trailing revenue and the Python
## lifetimes package (pip install lifetimes), on CDNOW and a generated B2B set (README, Benchmarks).
bench-clv: setup
	mkdir -p $(BENCH_DIR)
	.build/release/kam backtest pipelines/cdnow.yaml --cutoff 1997-09-30 --until 1998-06-30 --out $(BENCH_DIR)/clv-cdnow --quiet
	python3 Benchmarks/clv_ranking.py $(BENCH_DIR)/clv-cdnow 12 0.01
	.build/release/kam generate --accounts 5000 --transactions 400000 --seed 21 --out $(BENCH_DIR)/clv-b2b
	sed 's#../fixtures/demo#clv-b2b#; s#../out/nightly#clv-b2b-out#' pipelines/nightly.yaml > $(BENCH_DIR)/clv-b2b.yaml
	.build/release/kam backtest $(BENCH_DIR)/clv-b2b.yaml --cutoff 2024-06-30 --until 2024-12-31 --out $(BENCH_DIR)/clv-b2b-bt --quiet
	python3 Benchmarks/clv_ranking.py $(BENCH_DIR)/clv-b2b-bt 12 0.01

## bench-peers: kam's whole run against the same job in DuckDB + lifetimes and pandas +
## lifetimes (Benchmarks/peers), on a medium and a large generated set: alternating rounds,
## median wall time, peak memory, the ratios and kam's stages; the peers' outputs are checked
## against kam's first. Installs pandas, duckdb and lifetimes in var/venv-peers. Takes minutes.
PEER_SETS ?= medium,large
PEER_ROUNDS ?= 3
bench-peers: setup
	[ -x var/venv-peers/bin/python ] || python3 -m venv var/venv-peers
	var/venv-peers/bin/python -c "import duckdb, pandas, lifetimes" 2>/dev/null || var/venv-peers/bin/pip install -q duckdb pandas lifetimes
	var/venv-peers/bin/python Benchmarks/peers/bench.py --kam .build/release/kam --python var/venv-peers/bin/python \
		--sets $(PEER_SETS) --rounds $(PEER_ROUNDS)

## fuzz: libFuzzer over the reader and the cleaners (Sources/kam-fuzz): two jobs of FUZZ_RUNS
## executions each (10 million in all by default), from the committed corpus in
## Tests/fuzz-corpus; new inputs go to var/fuzz/corpus, crashing ones to var/fuzz/crashes.
## `make test` replays Tests/fuzz-corpus.
fuzz: setup
	$(SWIFT) build -c release --product kam-fuzz --scratch-path .build-fuzz \
		-Xswiftc -sanitize=fuzzer -Xswiftc -DKAM_LIBFUZZER -Xcc -fsanitize=fuzzer-no-link -Xlinker --export-dynamic
	mkdir -p var/fuzz/corpus var/fuzz/crashes
	cd var/fuzz && ../../.build-fuzz/release/kam-fuzz -jobs=2 -workers=2 -runs=$(FUZZ_RUNS) -max_len=4096 \
		-artifact_prefix=crashes/ -print_final_stats=1 corpus ../../Tests/fuzz-corpus
	@cat var/fuzz/fuzz-*.log | grep -E "^(Done|stat::number_of_executed_units|==.*ERROR|.*Fatal error)" || true
	@n=$$(ls var/fuzz/crashes | wc -l); echo "make fuzz: $$n crashing input(s) in var/fuzz/crashes"; [ $$n -eq 0 ]

## review-check: the demo run at the previous quarter end and at its as_of (so that trends and
## tier migration show), its review pack rendered in headless Chromium (a PNG of the first
## screen, an A4 PDF and a PNG per page, failing on a console message or a page wider than A4)
## and finance.xlsx read back with openpyxl against the CSV files; all under out/review-check.
REVIEW_DIR ?= out/review-check
review-check: setup review-tools
	.build/release/kam run $(PIPELINE) --as-of 2024-09-30 --out $(REVIEW_DIR)/previous-quarter --quiet
	.build/release/kam run $(PIPELINE) --out $(REVIEW_DIR)/run --quiet
	python3 tools/review_check.py $(REVIEW_DIR)/run $(REVIEW_DIR)/screenshots
	var/venv-review/bin/python tools/check_workbook.py $(REVIEW_DIR)/run

## review-tools: Debian's chromium, fonts-noto-cjk (or the Chinese page shows empty boxes) and
## poppler-utils when missing; openpyxl in var/venv-review.
review-tools:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] && fc-list | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	python3 -c "import venv, ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi
	[ -x var/venv-review/bin/python ] || python3 -m venv var/venv-review
	var/venv-review/bin/python -c "import openpyxl" 2>/dev/null || var/venv-review/bin/pip install -q openpyxl

## golden: regenerate the demo's golden outputs after an intended change (review the diff!).
golden: setup
	.build/release/kam run $(PIPELINE) --quiet --out var/golden-run
	mkdir -p fixtures/golden
	cp var/golden-run/*.csv fixtures/golden/

format:
	$(SWIFT) format -i -r Sources Tests

clean:
	rm -rf .build out var
