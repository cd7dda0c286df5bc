#!/usr/bin/env bash
# Back up the site into var/backups/<UTC time>/ (BACKUP_ROOT changes var/backups):
#   db.dump              pg_dump --format=custom of the PostgreSQL database in DATABASE_URL
#   media.tar.gz         MEDIA_ROOT: uploaded images and documents (signature images among them)
#   certificates.tar.gz  the certificate PDFs (CERTIFICATE_ROOT, the "certificates" storage)
#   signing-key.json     the credential signing key, when SIGNING_KEY_FILE names a file
#   manifest.txt, SHA256SUMS
# Paths come from the app's own settings (environment, .env, defaults), so run it with the server's environment.
# The backup holds personal data and a secret (the signing key): it is written readable by its owner only; keep it
# as private as the server itself. SQLite isn't handled: see the message below. Restore with scripts/restore.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3

# Where the site keeps everything, as shell assignments (quoted), read through Django itself.
site_settings() {
  "$python" scripts/site_settings.py
}

settings_text=$(site_settings) || { echo "Couldn't read the site's settings (see the error above)." >&2; exit 2; }
eval "$settings_text"

if [ "$DB_VENDOR" != postgresql ]; then
  cat >&2 <<EOF
make backup works with PostgreSQL only, and DATABASE_URL points to SQLite ($DB_NAME).
To back up SQLite, copy the file with sqlite3's online backup (safe while the site runs), e.g.
  sqlite3 '$DB_NAME' ".backup 'var/backups/lms-\$(date -u +%Y%m%dT%H%M%SZ).sqlite3'"
and copy $MEDIA_DIR, ${CERTIFICATES_DIR:-the certificate files} and the signing key file next to it.
EOF
  exit 2
fi

pgbin=${PG_BIN:-$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)}
pg_dump=${pgbin:+$pgbin/}pg_dump
if ! command -v "$pg_dump" >/dev/null; then
  echo "pg_dump wasn't found. Install the PostgreSQL client (Debian: apt-get install postgresql-client) or set PG_BIN." >&2
  exit 2
fi

root=${BACKUP_ROOT:-var/backups}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$root/$stamp"
if [ -e "$target" ]; then
  echo "$target already exists; wait a second and run it again." >&2
  exit 2
fi
umask 077
mkdir -p "$target"
finished=""
cleanup() {
  if [ -z "$finished" ]; then
    rm -rf "$target"
    echo "The backup failed, so nothing was kept in $target." >&2
  fi
}
trap cleanup EXIT

notes=()
echo "Backing up database $DB_NAME${PGHOST:+ on $PGHOST${PGPORT:+:$PGPORT}}…"
# The database first: every file a row of it names was written before that row committed, so the copies below
# hold them all (plus, at most, a few newer files nothing points to yet).
"$pg_dump" --format=custom --file="$target/db.dump" --dbname="$DB_NAME"

copy_folder() { # name, folder, backend: a tar.gz of the folder, or a note saying why there is none
  local name=$1 folder=$2 backend=$3
  if [ -z "$folder" ]; then
    notes+=("$name: kept by $backend, not on this disk; back it up with that service's own tools (e.g. versioning).")
  elif [ ! -d "$folder" ]; then
    notes+=("$name: $folder doesn't exist yet (nothing stored), so there is nothing to copy.")
  else
    echo "Copying $name from $folder…"
    # A file the site writes meanwhile (a new PDF, an image rendition) makes tar exit 1 ("file changed as we read
    # it"); such files are newer than the dump above, so nothing in it points to them. Any other failure stops here.
    tar -C "$folder" --warning=no-file-changed -czf "$target/$name.tar.gz" . || [ $? -eq 1 ]
  fi
}
copy_folder media "$MEDIA_DIR" "$MEDIA_BACKEND"
copy_folder certificates "$CERTIFICATES_DIR" "$CERTIFICATES_BACKEND"

if [ -n "$SIGNING_KEY_IN_ENVIRONMENT" ]; then
  notes+=("signing key: it is in the SIGNING_KEY variable (a secret store), so it isn't copied; keep it backed up there.")
elif [ -n "$SIGNING_KEY_PATH" ] && [ -f "$SIGNING_KEY_PATH" ]; then
  cp "$SIGNING_KEY_PATH" "$target/signing-key.json"
  chmod 600 "$target/signing-key.json"
  notes+=("signing key: copied to signing-key.json. It is a SECRET: whoever has it can sign certificates as you.")
else
  notes+=("signing key: none configured (SIGNING_KEY_FILE), so none copied. Credentials already signed still verify.")
fi

{
  echo "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "database: $DB_NAME${PGHOST:+ on $PGHOST${PGPORT:+:$PGPORT}}"
  echo "pg_dump: $("$pg_dump" --version)"
  echo "media: ${MEDIA_DIR:-$MEDIA_BACKEND}"
  echo "certificates: ${CERTIFICATES_DIR:-$CERTIFICATES_BACKEND}"
  echo "code: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  for note in "${notes[@]}"; do echo "note: $note"; done
} >"$target/manifest.txt"
(cd "$target" && sha256sum -- * >SHA256SUMS)
finished=1

echo "Backup written to $target:"
(cd "$target" && du -h -- * | sed 's/^/  /')
for note in "${notes[@]}"; do echo "Note: $note"; done
echo "It holds personal data$([ -f "$target/signing-key.json" ] && echo " and the signing key"): keep it private and copy it off this machine."
echo "Restore it into an empty database with: make restore BACKUP=$target"
