#!/usr/bin/env sh
# Install Debian's Chromium for the browser tests, unless it is there already.
# Playwright drives /usr/bin/chromium; it never downloads a browser of its own.
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "Installing Debian's chromium (needed by the browser tests)..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
