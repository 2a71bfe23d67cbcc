# voagent: build, run, test, benchmark.
GO      ?= go
BIN     := bin/voagent
FUZZTIME ?= 10s
VERSION ?= $(shell git describe --tags --dirty 2>/dev/null || echo 0.3.0-dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X github.com/voagent/voagent/internal/buildinfo.Version=$(VERSION) -X github.com/voagent/voagent/internal/buildinfo.Commit=$(COMMIT)

.PHONY: testbed testbed-stop build run test test-short bench bench-votable bench-samp bench-xmatch bench-vo bench-fanout bench-spectra bench-agent bench-crossmatch bench-startup fuzz lint peers deps course

# Static, without cgo: the dynamic loader and libc cost a third of the
# start-up time (docs/decisions.md, "Static binary").
build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/voagent

run: build
	$(BIN) run

deps peers:
	scripts/install-deps.sh

# All tests, integration tests against the real peers included.
test:
	scripts/test.sh

test-short:
	$(GO) test -short ./...

bench: build
	scripts/bench.sh

bench-startup: build
	scripts/bench-startup.sh

bench-votable: build
	scripts/bench-votable.sh

bench-samp: build
	scripts/bench-samp.sh

bench-xmatch: build
	scripts/bench-xmatch.sh

bench-vo: build
	scripts/bench-vo.sh

bench-fanout: build
	scripts/bench-fanout.sh

bench-spectra: build
	scripts/bench-spectra.sh

bench-agent: build
	scripts/bench-agent.sh

bench-crossmatch: build
	scripts/bench-crossmatch.sh

fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# The pyvo course's workflows with voagent, compared with pyvo 1.2.1 on the
# testbed (docs/course.md); the SAMP ones start TOPCAT and Aladin under Xvfb:
# by hand, run it under flock /tmp/voagent-gui.lock.
course: build
	VOAGENT=$(CURDIR)/$(BIN) scripts/course.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The GAVO DaCHS test data centre on 127.0.0.1:8080 (see testbed/README.md).
testbed:
	testbed/setup.sh

testbed-stop:
	testbed/stop.sh
