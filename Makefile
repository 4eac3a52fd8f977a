# The front door. `make run` and `make test` work on a fresh Debian 12 machine:
# both install the Debian packages they need first (`make deps`).

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATA_DIR ?= data
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEB_PACKAGES := build-essential cmake pkg-config librdkafka-dev librocksdb-dev \
  flatbuffers-compiler libflatbuffers-dev libspdlog-dev libfmt-dev catch2 libcli11-dev \
  nlohmann-json3-dev libyaml-cpp-dev libcpp-httplib-dev libboost1.81-dev libssl-dev zlib1g-dev libbrotli-dev curl \
  python3

.PHONY: deps configure build test run bench fuzz format clean

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# ccache, when a developer has it, makes rebuilds of other work trees cheap; not needed.
CCACHE := $(shell command -v ccache 2>/dev/null)

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE))

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 --timeout 900
	@echo "reliability figures (tests/reliability, ctest label reliability):"
	@grep -hE '^(crash|restart|retention|scale-out|http capacity): [0-9]' $(BUILD_DIR)/Testing/Temporary/LastTest.log || true

run: build
	$(BUILD_DIR)/services/rapport up --data-dir $(DATA_DIR) --sample-data

# The benchmark's own dependencies (not needed by `make test`): the PostgreSQL peer.
BENCH_PACKAGES := postgresql-15 bc curl

bench: deps
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get install -y -qq $$missing; fi
	$(MAKE) configure BUILD_DIR=build-release BUILD_TYPE=Release
	cmake --build build-release -j $(JOBS) --target bench_programs
	bash bench/run.sh build-release

# libFuzzer targets for the JSON decoder, the FlatBuffers reader and the HTTP request
# path (fuzz/http_request_fuzz.cc), built with
# Debian's clang in a separate tree; each runs FUZZ_SECONDS with a seed corpus.
FUZZ_PACKAGES := clang-14 libclang-rt-14-dev
FUZZ_SECONDS ?= 60
FUZZ_BUILD_DIR ?= build-fuzz

fuzz: deps
	@missing=$$(for p in $(FUZZ_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DRAPPORT_FUZZ=ON -DRAPPORT_BUILD_TESTS=OFF -DRAPPORT_BUILD_BENCH=OFF \
	  $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE))
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz_json_decoder fuzz_wire_reader fuzz_http_request fuzz_wire_seeds
	bash fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

format:
	find events projections services tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-release $(FUZZ_BUILD_DIR)
