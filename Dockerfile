# nimbus in a container, for those with a Docker engine. Not built or tested by the project's CI
# (its machines have no Docker engine); the Debian package is the tested way to install.
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake ninja-build \
      libboost1.81-dev librocksdb-dev libpugixml-dev libssl-dev libspdlog-dev libfmt-dev \
      libcli11-dev libgtest-dev libarchive-dev python3 python3-boto3 awscli && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNIMBUS_TESTS=OFF \
 && cmake --build build --target nimbus

FROM debian:12-slim
# The runtime libraries the .deb's Depends lists (dpkg-shlibdeps), plus the Lambda runtimes.
RUN apt-get update && apt-get install -y --no-install-recommends libarchive13 libbz2-1.0 libfmt9 \
      liblz4-1 libpugixml1v5 libsnappy1v5 libspdlog1.10-fmt9 libssl3 libzstd1 zlib1g python3 \
      nodejs && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/nimbus /usr/bin/nimbus
EXPOSE 4566
# LocalStack-style init hooks: mount scripts at /etc/localstack/init/{boot,start,ready,shutdown}.d
VOLUME /var/lib/nimbus
ENTRYPOINT ["/usr/bin/nimbus", "serve", "--host", "0.0.0.0", "--data-dir", "/var/lib/nimbus"]
