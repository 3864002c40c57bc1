# Sourced (not run) by the infra scripts: export the repo's .env, never overriding a variable the
# caller already set (tests and one-off commands point the same scripts elsewhere that way).
# Expects $repo to be the repository root. Safe under `set -euo pipefail`.
if [ -f "$repo/.env" ]; then
  while IFS='=' read -r key value; do
    if [[ -n "$key" && "$key" != \#* && -z "${!key+x}" ]]; then
      export "$key=$value"
    fi
  done < "$repo/.env"
fi
