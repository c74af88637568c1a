#!/usr/bin/env bash
# Installs every Debian package rapmc needs that is not yet present.
# Idempotent and quiet when everything is installed. Run as root on Debian 12+.
#   scripts/setup-debian.sh          build + run + test dependencies
#   scripts/setup-debian.sh --train  also PyTorch and torchvision: training the shipped models,
#                                    importing PyTorch models (scripts/import_torch.py)
#   scripts/setup-debian.sh --test   everything the whole test suite needs (the README's test
#                                    command): --train's packages, and Clang 14 with libFuzzer
#                                    for the sanitizer and fuzzing build (scripts/check-sanitizers.sh)
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git clang-format
  libboost-dev libboost-random-dev libtbb-dev libhdf5-dev libarmadillo-dev libopenblas-dev
  zlib1g-dev doctest-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  librandom123-dev libopenmpi-dev openmpi-bin
  dataset-fashion-mnist wordnet-base
  python3-h5py python3-numpy python3-matplotlib   # plots/ (the plot scripts and their test)
  python3-dev pybind11-dev python3-pybind11 python3-xarray python3-pytest  # import rapmc (docs/python.md)
)
if [[ "${1:-}" == "--train" || "${1:-}" == "--test" ]]; then
  PKGS+=(python3-torch python3-torchvision)
fi
if [[ "${1:-}" == "--test" ]]; then
  PKGS+=(clang-14 libfuzzer-14-dev)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
