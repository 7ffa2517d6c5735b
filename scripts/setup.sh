#!/usr/bin/env bash
# Installs every native dependency Mlsh needs on a Debian 12 machine, idempotently.
# Fast path: when everything is present this returns in well under a second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/.deps"
ORT_VERSION=1.30.0
ORT_LIB=/usr/local/lib/mlsh/libonnxruntime.so.1

apt_packages=(libmujoco-dev cyclonedds-dev cyclonedds-tools libmosquitto-dev mosquitto mosquitto-clients
              openmpi-bin libopenmpi-dev python3-onnx libonnx-dev gcc cmake openssl)

say() { echo "[setup] $*" >&2; }
need_sudo() { if [ "$(id -u)" -ne 0 ]; then echo sudo; fi; }

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=$(need_sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is not on PATH; install dotnet-sdk-10.0 and run again" >&2
  exit 1
fi

# ONNX Runtime: NuGet has no Microsoft.ML.OnnxRuntime here, npm's onnxruntime-node ships the
# native library. npm pack + tar takes it without running the package's install scripts.
if [ ! -f "$ORT_LIB" ] || [ "$(cat "$deps/onnxruntime.version" 2>/dev/null)" != "$ORT_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || { SUDO=$(need_sudo); $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null; }
  say "fetching ONNX Runtime $ORT_VERSION from npm's onnxruntime-node"
  mkdir -p "$deps/ort"
  (cd "$deps/ort" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
  tar -xzf "$deps/ort/onnxruntime-node-$ORT_VERSION.tgz" -C "$deps/ort" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
  SUDO=$(need_sudo)
  $SUDO install -D -m 0644 "$deps/ort/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$ORT_LIB.tmp"
  $SUDO mv -f "$ORT_LIB.tmp" "$ORT_LIB"
  rm -rf "$deps/ort"
  echo "$ORT_VERSION" > "$deps/onnxruntime.version"
fi
