#!/bin/sh
# Runs once, on the first start of an empty data directory: a database and a
# user of its own for Keycloak beside the server's store. The password goes
# through a psql variable so quotes in it cannot break the statement.
set -eu
psql -v ON_ERROR_STOP=1 -v kc_password="$KEYCLOAK_DB_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE USER keycloak WITH PASSWORD :'kc_password';
CREATE DATABASE keycloak OWNER keycloak;
SQL
