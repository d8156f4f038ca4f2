#!/usr/bin/env bash
# Installs what building and testing nimbus needs on Debian 12, skipping what is present.
set -euo pipefail

packages=(build-essential cmake ninja-build ccache pkg-config libboost1.81-dev librocksdb-dev
          libpugixml-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev libgtest-dev
          libbenchmark-dev bubblewrap curl libarchive-dev)
# javac builds the Java Lambda runtime client (java17/java21 functions run on the JDK's java).
command -v javac >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)
# The integration tests drive nimbus with boto3, the AWS CLI and the JavaScript SDK (Node + npm).
python3 -c "import boto3, awscli" 2>/dev/null || packages+=(python3-boto3 awscli)
# The API Gateway JWT tests sign their tokens with the cryptography package.
python3 -c "import cryptography" 2>/dev/null || packages+=(python3-cryptography)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# Lambda's ruby3.x runtimes run on the machine's Ruby; a test handler calls DynamoDB through the
# AWS SDK for Ruby that Debian packages (ruby-aws-sdk, the SDK's version 1).
command -v ruby >/dev/null 2>&1 || packages+=(ruby)
packages+=(ruby-aws-sdk)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
