#!/usr/bin/env bash
# Installs the system packages the test suite needs (Debian/Ubuntu), only those missing.
#   mosquitto                         - real MQTT broker for the MQTT transport tests (started on loopback by the tests)
#   gcc-avr avr-libc simavr           - AVR compiler and simulator for bit-exact parity on the ATmega328P
#   gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm - Cortex-M0/M3 compiler and emulator for parity
#   chromium                          - headless browser for the demo report's screenshot test
#   bsdutils                          - script(1), a pseudo-terminal for the `label query --prompt` terminal test
#                                       (essential on Debian, listed so a slim image cannot lack it)
#   e2fsprogs                         - chattr(1), immutable files and directories for the channel store's
#                                       read-only tests (RegularFileChannelTest, ReadOnlyStoreTest)
set -euo pipefail
PKGS=(mosquitto gcc-avr avr-libc simavr gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm chromium bsdutils e2fsprogs)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A mirror hiccup should not fail a CI run: retry the network steps a few times.
retry() {
  local n=1
  until "$@"; do
    if [ $n -ge 3 ]; then return 1; fi
    echo "install-test-deps: '$*' failed, retrying ($n/3)" >&2
    n=$((n + 1)); sleep 10
  done
}
retry $SUDO apt-get update -qq
retry $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The mosquitto package starts a system broker on port 1883; the tests start their own on free ports.
