#!/usr/bin/env bash
# Print `export` lines for the optional test services that answer on this machine (PostgreSQL, Redis).
# A TEST_DATABASE_URL or TEST_REDIS_URL already in the environment (even empty) is left as it is.
set -euo pipefail

PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL="redis://127.0.0.1:6379/15"

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

postgres_ready() {
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h 127.0.0.1 -p 5432 -t 2
  else
    port_open 127.0.0.1 5432
  fi
}

redis_ready() {
  if command -v redis-cli >/dev/null; then
    [[ $(timeout 2 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]]
  else
    port_open 127.0.0.1 6379
  fi
}

if [[ -z ${TEST_DATABASE_URL+set} ]] && postgres_ready; then
  echo "export TEST_DATABASE_URL='$PG_URL'"
fi
if [[ -z ${TEST_REDIS_URL+set} ]] && redis_ready; then
  echo "export TEST_REDIS_URL='$REDIS_URL'"
fi
