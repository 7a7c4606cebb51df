# Sourced by the tools/ scripts: one place for the paths and environment every step shares.
AP_CACHE="${ASYNCPLAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/asyncplay}"
mkdir -p "$AP_CACHE"
# Debian's emcc runs its JS tools with node; /usr/bin/node may come from another packager that does not
# search Debian's module folder (acorn, terser, ...).
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
export AP_CACHE
