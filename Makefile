# casepack — two set-up commands on a fresh machine: `make demo` and `make test`.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := bin/casepack
# A fixed date makes the demo package byte-identical from run to run.
DEMO_DATE ?= 2021-02-26T12:00:00Z

.PHONY: build test demo bench fuzz lint clean

# The binary is linked without the C library (CGO_ENABLED=0: static, no
# libc or dynamic loader mapped): every run, --version included, kept
# 1.3-1.8 MiB of their pages resident, 2% of a 20,000-file build's peak.
# Go's own resolver and os/user stand in for the C library's; the custody
# record's account name still comes from the name service switch
# (packager/intake/account.go). The tests keep cgo, which -race needs.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/casepack

# All tests, including the ones that call sha256sum, openssl, poppler, qpdf
# and openpyxl (.ci/run installs them; locally they skip when absent), under
# the race detector: the evidence pass, verify and the schema's pools share
# work between goroutines. -race needs cgo (a C compiler); without one,
# RACE= runs them plainly.
RACE ?= -race
# The platforms a user may build for, type-checked (tests too) without
# being run: system calls and struct widths differ on 32-bit Linux
# (int32 time fields, fstat64), Windows and macOS.
PORTS ?= linux/386 linux/arm windows/amd64 darwin/arm64
test:
	$(GO) vet ./...
	@set -e; for p in $(PORTS); do echo "go vet ./... for $$p"; GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) vet ./...; done
	$(GO) test $(RACE) -count=1 -timeout 45m ./...

demo: build
	./scripts/demo.sh $(BIN) $(DEMO_DATE)

# Benchmarks: Go benchmarks, then the scripts that compare casepack with
# standard tools on the same files in the same run (ratios, peak memory).
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x ./...
	./scripts/bench-validate.sh $(BIN)
	@if [ -x scripts/bench-package.sh ]; then ./scripts/bench-package.sh $(BIN); fi
	./scripts/bench-archive.sh $(BIN)
	./scripts/bench-forms.sh $(BIN)
	./scripts/bench-serve.sh $(BIN)
	./scripts/bench-memory.sh $(BIN)

# Short fuzzing of every parser of untrusted input.
FUZZTIME ?= 20s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 50x $$pkg; \
	  done; done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

clean:
	rm -rf bin out
