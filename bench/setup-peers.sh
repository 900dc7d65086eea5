#!/usr/bin/env bash
# Installs the peer brokers the bench compares against (Debian packages), never as a service:
# the bench starts each one itself on 127.0.0.1 with its own temp dir and port, and stops it afterwards.
# Usage: bash bench/setup-peers.sh   (as root, or with sudo available)
set -u
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || need+=(rabbitmq-server)
if [ ${#need[@]} -eq 0 ]; then echo "setup-peers: redis-server and rabbitmq-server already installed"; exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else echo "setup-peers: not root and no sudo; cannot install ${need[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101: the packages' postinst must not start the services.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && CREATED_POLICY=1; fi
status=0
$SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${need[@]}" || status=$?
[ "$CREATED_POLICY" -eq 1 ] && $SUDO rm -f "$POLICY"
# If a package still started its service, stop it: the bench runs its own instances.
for svc in redis-server rabbitmq-server; do
  if command -v service >/dev/null 2>&1; then $SUDO service "$svc" stop >/dev/null 2>&1 || true; fi
done
exit $status
