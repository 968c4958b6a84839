#!/usr/bin/env bash
# Install the Debian packages named as arguments, skipping those already present.
# Used by the Makefile: HarfBuzz's subsetter (deterministic font subsets) for
# builds; qpdf and poppler-utils for the tests that check PDFs with real tools,
# strace for the tests that watch which files a build opens, chromium for the
# tests and the benchmark that drive the preview in a browser.
set -euo pipefail

missing=()
for package in "$@"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
((${#missing[@]})) || exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "brochure needs these system packages: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "installing system packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
