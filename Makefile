# Thin wrapper over CMake: `make run` (deps, Release build, serve) and `make test` (everything).
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
DATA_DIR ?= .nimbus

.PHONY: deps build run test unit asan js-deps bench bench-services clean format

deps:
	@scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/nimbus serve --host 127.0.0.1 --port 4566 --data-dir $(DATA_DIR)

js-deps:
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error

# Every test: unit tests and integration tests (AWS CLI, boto3, JS SDK v3) on the Release build,
# then the unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
test: deps js-deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNIMBUS_SANITIZE=ON -DNIMBUS_UNIT_ONLY=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L unit
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	python3 bench/core/run.py --build $(BUILD)

# DynamoDB, SQS and S3 side by side with moto's server (about 15 minutes).
bench-services: build
	python3 bench/run.py --build $(BUILD) dynamodb sqs sns s3

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
