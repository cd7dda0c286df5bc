#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database in DATABASE_URL and the site's file folders.
#   scripts/restore.sh [--force] var/backups/<time>
# Checks the backup's checksums first. Refuses to touch a database that already has tables, or file folders that
# already hold files, unless --force is given (which replaces the database's contents with the backup's, asking
# first when run from a terminal). Paths come from the app's own settings, as in scripts/backup.sh.
set -euo pipefail

usage() {
  echo "Usage: $0 [--force] BACKUP_FOLDER   (e.g. var/backups/20260301T020000Z)" >&2
  exit 2
}
force=""
backup=""
for argument in "$@"; do
  case $argument in
    --force) force=1 ;;
    -h | --help) usage ;;
    -*) echo "Unknown option: $argument" >&2; usage ;;
    *) [ -z "$backup" ] || usage; backup=$argument ;;
  esac
done
[ -n "$backup" ] || usage

cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3

if [ ! -f "$backup/db.dump" ] || [ ! -f "$backup/SHA256SUMS" ]; then
  echo "$backup isn't a backup made by scripts/backup.sh (no db.dump and SHA256SUMS in it)." >&2
  exit 2
fi
backup=$(cd "$backup" && pwd)
echo "Checking the backup's checksums…"
if ! (cd "$backup" && sha256sum --check --quiet --strict SHA256SUMS); then
  echo "The backup in $backup doesn't match its checksums, so it may be damaged. Nothing was restored." >&2
  exit 1
fi
echo "The backup in $backup is intact; it was made $(sed -n 's/^created: //p' "$backup/manifest.txt" 2>/dev/null)."

# Where the site keeps everything, as shell assignments (quoted), read through Django itself.
site_settings() {
  "$python" scripts/site_settings.py
}

settings_text=$(site_settings) || { echo "Couldn't read the site's settings (see the error above)." >&2; exit 2; }
eval "$settings_text"
if [ "$DB_VENDOR" != postgresql ]; then
  echo "DATABASE_URL points to SQLite ($DB_NAME); this script restores PostgreSQL backups only." >&2
  echo "For SQLite, stop the site and copy the backed-up file into place." >&2
  exit 2
fi

pgbin=${PG_BIN:-$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)}
pg_restore=${pgbin:+$pgbin/}pg_restore
psql=${pgbin:+$pgbin/}psql
if ! command -v "$pg_restore" >/dev/null || ! command -v "$psql" >/dev/null; then
  echo "pg_restore or psql wasn't found. Install the PostgreSQL client (Debian: postgresql-client) or set PG_BIN." >&2
  exit 2
fi
where="database $DB_NAME${PGHOST:+ on $PGHOST${PGPORT:+:$PGPORT}}"

# Look before changing anything: the database must exist, and it and the folders must be empty unless --force.
tables=$("$psql" -X -q -A -t -v ON_ERROR_STOP=1 --dbname="$DB_NAME" -c \
  "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'") || {
  echo "Couldn't open the $where. Create it first (e.g. createdb '$DB_NAME') and check DATABASE_URL." >&2
  exit 2
}
busy=()
[ "$tables" -gt 0 ] && busy+=("the $where has $tables tables")
folder_in_use() { [ -n "$1" ] && [ -d "$1" ] && [ -n "$(ls -A "$1")" ]; }
[ -f "$backup/media.tar.gz" ] && folder_in_use "$MEDIA_DIR" && busy+=("the media folder $MEDIA_DIR holds files")
[ -f "$backup/certificates.tar.gz" ] && folder_in_use "$CERTIFICATES_DIR" &&
  busy+=("the certificate folder $CERTIFICATES_DIR holds files")

if [ ${#busy[@]} -gt 0 ]; then
  if [ -z "$force" ]; then
    echo "Nothing was restored, because $(IFS=';'; echo "${busy[*]}" | sed 's/;/, and /g')." >&2
    echo "Restoring replaces the database's contents (and adds the backup's files to the folders)." >&2
    echo "If that is what you want, run it again with --force (make restore BACKUP=... FORCE=1)." >&2
    exit 1
  fi
  echo "With --force: $(IFS=';'; echo "${busy[*]}" | sed 's/;/, and /g'); the backup replaces the database's contents."
  if [ -t 0 ]; then
    read -r -p "Replace the contents of the $where with this backup? Type yes to go on: " answer
    [ "$answer" = "yes" ] || { echo "Nothing was restored."; exit 1; }
  fi
fi

echo "Restoring the $where…"
clean=()
[ "$tables" -gt 0 ] && clean=(--clean --if-exists)
# One transaction: the database ends up either as the backup or exactly as it was.
"$pg_restore" --no-owner --no-privileges --single-transaction "${clean[@]}" --dbname="$DB_NAME" "$backup/db.dump"

# Run as root (sudo make restore), restored files go to whoever owns the folder they land in (or its nearest
# existing parent), so the site's own user can read them; the archive's owners are never trusted.
owner_for() { # path
  local path=$1
  while [ ! -e "$path" ]; do path=$(dirname "$path"); done
  stat -c '%u:%g' "$path"
}
hand_over() { # owner, path...
  local owner=$1
  shift
  [ "$(id -u)" = 0 ] && chown -R "$owner" "$@"
  return 0
}

restore_folder() { # name, folder, backend
  local name=$1 folder=$2 backend=$3
  [ -f "$backup/$name.tar.gz" ] || return 0
  if [ -z "$folder" ]; then
    echo "Note: $name are kept by $backend here, so $name.tar.gz wasn't unpacked; upload its files there." >&2
    return 0
  fi
  echo "Restoring $name into $folder…"
  local owner
  owner=$(owner_for "$folder")
  mkdir -p "$folder"
  tar -C "$folder" --no-same-owner -xzf "$backup/$name.tar.gz"
  hand_over "$owner" "$folder"
}
restore_folder media "$MEDIA_DIR" "$MEDIA_BACKEND"
restore_folder certificates "$CERTIFICATES_DIR" "$CERTIFICATES_BACKEND"

if [ -f "$backup/signing-key.json" ]; then
  if [ -n "$SIGNING_KEY_IN_ENVIRONMENT" ] || [ -z "$SIGNING_KEY_PATH" ]; then
    echo "Note: the backup holds a signing key (signing-key.json), but this site takes its key from SIGNING_KEY or"
    echo "has no SIGNING_KEY_FILE. Put that file's key in your secret store, or set SIGNING_KEY_FILE to a copy of it."
  elif [ ! -e "$SIGNING_KEY_PATH" ]; then
    key_folder=$(dirname "$SIGNING_KEY_PATH")
    key_owner=$(owner_for "$key_folder")
    [ -d "$key_folder" ] || { mkdir -p "$key_folder" && hand_over "$key_owner" "$key_folder"; }
    (umask 077 && cp "$backup/signing-key.json" "$SIGNING_KEY_PATH")
    hand_over "$key_owner" "$SIGNING_KEY_PATH"
    echo "Signing key restored to $SIGNING_KEY_PATH (a secret: readable by its owner only)."
  elif cmp -s "$backup/signing-key.json" "$SIGNING_KEY_PATH"; then
    echo "The signing key in $SIGNING_KEY_PATH is already the backup's."
  else
    echo "Note: $SIGNING_KEY_PATH holds a different signing key, which was left as it is. Certificates signed with"
    echo "either key still verify (every public key is in the database); new ones are signed with the current file."
  fi
fi

# A cache in Redis outlives the restore: the pages and each person's home kept there, made from the database as it was,
# would still match their versions. (With the cache in the database, the backup brought back its own.)
if ! "$python" manage.py forget_kept_copies; then
  echo "Note: the copies the cache keeps couldn't be ended now. Once the cache can be reached (and the database is"
  echo "migrated), run 'python manage.py forget_kept_copies' before the site serves anyone."
fi

echo "Restored. Next: run 'python manage.py migrate' (if this code is newer than the backup), start the server and"
echo "the task worker, and check a certificate, e.g. 'python manage.py verify_credential <a certificate PDF>'."
