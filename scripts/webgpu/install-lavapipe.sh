#!/usr/bin/env bash
# Installs a Vulkan driver that Dawn (the `webgpu` package) accepts on a machine without a GPU:
# Mesa's lavapipe from bookworm-backports (Mesa 25; Debian 12's own Mesa 22 lavapipe is too old for
# Dawn's Vulkan path), plus the Vulkan loader. Prints the driver manifest to export as
# VK_DRIVER_FILES. Idempotent; Debian 12 only. See ../shared/notes/webgpu.md.
set -euo pipefail
manifest=/usr/share/vulkan/icd.d/lvp_icd.json
installed=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
if [[ ! -f $manifest || $installed != 25.* ]]; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      >/etc/apt/sources.list.d/bookworm-backports.sources
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    mesa-vulkan-drivers libvulkan1 >/dev/null
fi
echo "$manifest"
