#!/usr/bin/env bash
# Runs every test of ActorVisor (the README's test command). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test ActorVisor.sln -c Release "$@"
