#!/usr/bin/env bash
# Checks the measuring scripts share (sourced by ab-cpu.sh and
# instructions.sh, not run on its own): each failed check names what is
# missing and how to get it, and exits with code 2 (bad input).

# require_command SCRIPT COMMAND INSTALL_HINT
require_command() {
  if ! command -v "$2" >/dev/null; then
    echo "$1: $2 not found; $3" >&2
    exit 2
  fi
}

# require_executables SCRIPT BIN...
require_executables() {
  local script=$1 bin
  shift
  for bin in "$@"; do
    if [ ! -x "$bin" ]; then
      echo "$script: '$bin' is not an executable file; build it first (cargo build --release)" >&2
      exit 2
    fi
  done
}
