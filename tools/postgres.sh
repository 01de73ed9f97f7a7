#!/usr/bin/env bash
# Installs Debian's PostgreSQL when it is missing, starts its cluster, and creates the role and the
# database the PostgreSQL tests of tests/Persistence.Tests use. Prints the connection string on its
# last line, and writes it to the file named by $1 when one is given, so a caller can export it:
#   tools/postgres.sh /tmp/pg && export ACTORVISOR_POSTGRES="$(cat /tmp/pg)"
# Needs root (or password-less sudo) and apt-get when PostgreSQL is not installed yet. Role, password
# and database can be changed with ACTORVISOR_PG_ROLE, ACTORVISOR_PG_PASSWORD and ACTORVISOR_PG_DB.
set -euo pipefail
role=${ACTORVISOR_PG_ROLE:-actorvisor}
password=${ACTORVISOR_PG_PASSWORD:-actorvisor}
database=${ACTORVISOR_PG_DB:-actorvisor}

sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "postgres.sh: needs root or password-less sudo to install and start PostgreSQL" >&2
    exit 1
  fi
fi

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq postgresql >/dev/null
fi

# The newest installed major version (Debian 12 ships 15) and its default cluster.
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  "${sudo[@]}" pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  "${sudo[@]}" pg_ctlcluster "$version" main start
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')

as_postgres() { "${sudo[@]}" runuser -u postgres -- "$@"; }
if [ "$(id -u)" != 0 ]; then as_postgres() { sudo -n -u postgres "$@"; }; fi
psql_admin() { as_postgres psql -v ON_ERROR_STOP=1 -p "$port" -qtA "$@"; }

if [ "$(psql_admin -c "select 1 from pg_roles where rolname = '$role'")" != 1 ]; then
  psql_admin -c "create role \"$role\" login password '$password'"
fi
if [ "$(psql_admin -c "select 1 from pg_database where datname = '$database'")" != 1 ]; then
  psql_admin -c "create database \"$database\" owner \"$role\""
fi

connection="Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=$database"
[ $# -ge 1 ] && printf '%s\n' "$connection" >"$1"
echo "$connection"
