# nimbus in a container, for those with a Docker engine. Not built or tested by the project's CI
# (its machines have no Docker engine); the Debian package is the tested way to install.
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake ninja-build \
      libboost1.81-dev librocksdb-dev libpugixml-dev libssl-dev libspdlog-dev libfmt-dev \
      libcli11-dev libgtest-dev python3 python3-boto3 awscli && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNIMBUS_TESTS=OFF \
 && cmake --build build --target nimbus

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends librocksdb7.8 libpugixml1v5 \
      libspdlog1.10 libssl3 python3 nodejs && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/nimbus /usr/bin/nimbus
EXPOSE 4566
VOLUME /var/lib/nimbus
ENTRYPOINT ["/usr/bin/nimbus", "serve", "--host", "0.0.0.0", "--data-dir", "/var/lib/nimbus"]
