#!/usr/bin/env bash
# `make image-base`: a Debian 12 (bookworm) + Python 3.11 base image made from Debian's own
# packages with debootstrap, for a machine that reaches Debian's package archive but no
# container registry. Needs root, debootstrap and docker. Usage: debian-base-image.sh [TAG]
set -euo pipefail
tag="${1:-veilleuse-base:bookworm}"
command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase \
    --include=python3.11,python3.11-venv,python3-distutils,python3-pip-whl,python3-setuptools-whl,ca-certificates,tzdata \
    bookworm "$root"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log
tar --numeric-owner -C "$root" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3.11"]' \
    - "$tag"
echo "built $tag"
