# Sourced (not run) by the infra scripts: export the repo's .env, never overriding a variable the
# caller already set (tests and one-off commands point the same scripts elsewhere that way).
# Expects $repo to be the repository root.
if [ -f "$repo/.env" ]; then
  while IFS='=' read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    [ -z "${!key+x}" ] && export "$key=$value"
  done < "$repo/.env"
fi
