#!/usr/bin/env bash
# The demo: a private redis-server on a free port, a scheduler and two workers, then the example
# scripts pushed, run and their results printed. Everything started here is stopped on exit.
set -euo pipefail
BIN="${1:-.build/release}"
cd "$(dirname "$0")/.."
WORK="$(mktemp -d /tmp/sluice-demo.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT="$(free_port)"
HTTP_PORT="$(free_port)"
CONSOLE_PORT="$(free_port)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  for _ in $(seq 1 50); do [ -f "$WORK/redis.pid" ] || break; sleep 0.05; done
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "private redis-server on port $PORT, with an ACL user and a generated password (jobs have the network: an open Redis would be theirs)"
REDIS_PASSWORD="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# One user for Sluice's processes: its keys only, no admin or dangerous command (CONFIG, KEYS,
# FLUSHALL, DEBUG...) but ROLE (Sentinel checks); the default user is off (docs/security.md).
cat > "$WORK/users.acl" <<ACL
user default off
user sluice on >$REDIS_PASSWORD ~{sluice}:* resetchannels +@all -@dangerous -@admin +role
ACL
chmod 600 "$WORK/users.acl"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no --daemonize yes \
  --logfile "$WORK/redis.log" --pidfile "$WORK/redis.pid" --aclfile "$WORK/users.acl"
rcli() { redis-cli -p "$PORT" --user sluice --pass "$REDIS_PASSWORD" --no-auth-warning "$@"; }
for _ in $(seq 1 100); do rcli ping >/dev/null 2>&1 && break; sleep 0.05; done
echo "without credentials (as a job would try):"
show redis-cli -p "$PORT" get '{sluice}:anything' || true
export SLUICE_REDIS_URL="redis://sluice:$REDIS_PASSWORD@127.0.0.1:$PORT/0"
export SLUICE_PUBLIC_URL="http://127.0.0.1:$HTTP_PORT"

step "a secrets key pair: the private key for workers, the public one for the CLI"
mkdir -m 700 "$WORK/keys"
show "$BIN/sluice" secrets keygen --out "$WORK/keys"

step "scheduler, two workers and the resumer (approval links on $SLUICE_PUBLIC_URL)"
"$BIN/scheduler" >"$WORK/scheduler.log" 2>&1 & PIDS+=($!)
"$BIN/worker" --concurrency 4 --worker-id demo-worker-1 --secret-key "$WORK/keys/secrets.key" >"$WORK/worker1.log" 2>&1 & PIDS+=($!)
"$BIN/worker" --concurrency 4 --worker-id demo-worker-2 --secret-key "$WORK/keys/secrets.key" >"$WORK/worker2.log" 2>&1 & PIDS+=($!)
"$BIN/resumer" --port "$HTTP_PORT" --secret-key "$WORK/keys/secrets.key" >"$WORK/resumer.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do curl -fs "$SLUICE_PUBLIC_URL/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
show curl -s "$SLUICE_PUBLIC_URL/healthz"; echo

step "the web console, on loopback, up while the demo runs"
"$BIN/sluice" console --listen "127.0.0.1:$CONSOLE_PORT" --as demo-operator >"$WORK/console.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$CONSOLE_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
cat "$WORK/console.log"
echo "open it in a browser (from another machine: ssh -L $CONSOLE_PORT:127.0.0.1:$CONSOLE_PORT this-host) to watch the rest of the demo live"

step "push the example scripts"
show "$BIN/sluice" script push f/examples/hello examples/scripts/hello.py --summary "Greets someone"
show "$BIN/sluice" script push f/examples/hello_ts examples/scripts/hello.ts --summary "Greets someone, in TypeScript on Deno"
show "$BIN/sluice" script push f/examples/domain examples/scripts/domain.py --summary "Python with a PyPI package (idna), locked with uv"
show "$BIN/sluice" script show f/examples/domain --lock
show "$BIN/sluice" script push f/examples/disk_usage examples/scripts/disk_usage.sh --summary "How full is a mount point"
show "$BIN/sluice" script push f/examples/refund examples/scripts/fails.py --summary "Always fails"
show "$BIN/sluice" script list

step "run them and wait for the results"
show "$BIN/sluice" run f/examples/hello -a name=Ada -a times=2 --wait
show "$BIN/sluice" run f/examples/hello_ts -a name=Grace -a times=2 --wait
show "$BIN/sluice" run f/examples/domain -a domain=bücher.example --wait
show "$BIN/sluice" run f/examples/disk_usage --args '{"mount": "/", "threshold": 95}' --wait
echo "(a failing job exits non-zero and prints its error:)"
"$BIN/sluice" run f/examples/refund -a order_id=A-17 --wait 2>&1 | head -n 1 || true

step "a secret and a resource used by a job: sealed in Redis, masked in the job's logs"
printf 'sk_live_%s' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  | show "$BIN/sluice" variable set f/examples/stripe_key --secret --from-stdin --public-key "$WORK/keys/secrets.pub" --allow f/examples/
show "$BIN/sluice" resource set f/examples/stripe --type stripe --value '{"endpoint": "https://api.stripe.example", "key": "$var:f/examples/stripe_key"}'
show "$BIN/sluice" variable list
echo "what redis-cli shows of the secret (a ciphertext):"
show rcli HGET '{sluice}:variable:f/examples/stripe_key' value
show "$BIN/sluice" script push f/examples/charge examples/scripts/charge.py --summary "Uses a secret and a resource"
CHARGE="$("$BIN/sluice" run f/examples/charge --args '{"amount": 12.5, "api": "$res:f/examples/stripe"}')"
show "$BIN/sluice" job wait "$CHARGE"
show "$BIN/sluice" job logs "$CHARGE"
show "$BIN/sluice" job show "$CHARGE"

step "a job scheduled 1 second from now, then its record and logs"
ID="$("$BIN/sluice" run f/examples/hello -a name=later --in 1 --as demo-operator)"
show "$BIN/sluice" job show "$ID"
show "$BIN/sluice" job wait "$ID"
show "$BIN/sluice" job show "$ID"
show "$BIN/sluice" job logs "$ID"

step "a flow: build (python3 importing packaging from PyPI), check (bash, with retries), release notes (TypeScript on Deno), summary"
show "$BIN/sluice" flow push f/examples/deploy examples/flows/deploy.flow
show "$BIN/sluice" run f/examples/deploy -a service=api -a version=2.4.0 --wait

step "a workspace folder as \`wmill sync pull\` writes it: scripts, a flow, a schedule, a resource, variables"
show "$BIN/sluice" sync push examples/workspace --dry-run
show "$BIN/sluice" sync push examples/workspace
echo "(a second push changes nothing:)"
"$BIN/sluice" sync push examples/workspace 2>/dev/null | tail -n 1
show "$BIN/sluice" run f/team/release -a version=v2.4 --wait
show "$BIN/sluice" sync pull "$WORK/exported"
show find "$WORK/exported" -type f

step "triggers: a webhook with a scoped token, Windmill's URLs, one run per delivery, and a GitHub-signed route"
TOKEN="$("$BIN/sluice" token create ci --scope 'run:f/examples/*' --expires 1d --as demo-operator)"
show "$BIN/sluice" token list
HOOK="$SLUICE_PUBLIC_URL/api/w/sluice/jobs/run/p/f/examples/hello"
echo "POST $HOOK (asynchronous: the job id at once), twice with the same Idempotency-Key:"
deliver() {
  curl -s -X POST "$HOOK" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: order-42' -d '{"name": "webhook", "times": 1}'
}
HOOKED="$(deliver)"; echo "$HOOKED"
deliver; echo
echo "(one run: the second delivery got the first one's id)"
show "$BIN/sluice" job wait "$HOOKED"
show "$BIN/sluice" job show "$HOOKED"
echo "run_wait_result on a flow (synchronous: the flow's result):"
curl -s -X POST "$SLUICE_PUBLIC_URL/api/w/sluice/jobs/run_wait_result/f/f/examples/deploy" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"service": "api", "version": "2.5.0"}'
echo "a wrong token is answered as an unknown path, and starts nothing:"
curl -s -o /dev/null -w 'HTTP %{http_code}\n' -X POST "$HOOK" -H 'Authorization: Bearer sltk_0000000000000000_nope' -d '{}'
printf '%s' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$WORK/github_secret"
"$BIN/sluice" variable set f/examples/github_secret --secret --from-stdin --public-key "$WORK/keys/secrets.pub" --allow f/examples/ < "$WORK/github_secret"
show "$BIN/sluice" route set POST hooks/github f/examples/deploy --auth hmac-sha256 --secret-variable f/examples/github_secret \
  --idempotency-key X-GitHub-Delivery
show "$BIN/sluice" route list
BODY='{"service": "web", "version": "2.5.1"}'
SIGNATURE="sha256=$(BODY="$BODY" python3 -c 'import hmac, hashlib, os, sys; print(hmac.new(open(sys.argv[1], "rb").read(), os.environ["BODY"].encode(), hashlib.sha256).hexdigest())' "$WORK/github_secret")"
echo "a delivery signed as GitHub signs it (X-Hub-Signature-256) starts the deploy flow and answers its result:"
curl -s -X POST "$SLUICE_PUBLIC_URL/api/r/hooks/github" -H "X-Hub-Signature-256: $SIGNATURE" -H 'X-GitHub-Delivery: d-1' \
  -H 'Content-Type: application/json' -d "$BODY"
echo "the same body with a forged signature:"
curl -s -w ' (HTTP %{http_code})\n' -X POST "$SLUICE_PUBLIC_URL/api/r/hooks/github" -H "X-Hub-Signature-256: sha256=$(printf '0%.0s' $(seq 1 64))" \
  -H 'X-GitHub-Delivery: d-2' -H 'Content-Type: application/json' -d "$BODY"

step "an approval flow: a refund that two people must approve"
show "$BIN/sluice" group set finance alice,bob
show "$BIN/sluice" flow push f/examples/refund examples/flows/refund.flow.yaml
FLOW="$("$BIN/sluice" run f/examples/refund -a order_id=A-17 -a amount=12.5 --as carol)"
echo "started flow $FLOW (by carol)"
for _ in $(seq 1 200); do
  "$BIN/sluice" job show "$FLOW" --json | grep -q '"state": "suspended"' && break
  sleep 0.05
done
show "$BIN/sluice" suspended
STEP="$("$BIN/sluice" job show "$FLOW" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["steps"][0]["id"])')"
echo "the first step's script minted one link per approver (it would mail them):"
"$BIN/sluice" job logs "$STEP"
ALICE="$("$BIN/sluice" job logs "$STEP" | awk '/for alice/ {print $NF}')"
BOB="$("$BIN/sluice" job logs "$STEP" | awk '/for bob/ {print $NF}')"
printf '\napproval page for alice: %s\n' "$ALICE"
echo "a GET (what a chat's link preview does) shows the page and approves nothing:"
curl -s -o /dev/null -w "  GET approval page -> HTTP %{http_code}\n" "$ALICE"
echo "alice approves over HTTP (JSON):"
show curl -s -X POST -H 'Content-Type: application/json' -d '{"channel": "card", "note": "ok from alice"}' "$ALICE/resume"; echo
echo "alice's client retries the same answer (as if the first reply was lost): counted once, HTTP 200"
show curl -s -X POST -H 'Content-Type: application/json' -d '{"channel": "card", "note": "ok from alice"}' "$ALICE/resume"; echo
echo "alice tries another answer: refused with HTTP 409, her first answer stands"
show curl -s -X POST -H 'Content-Type: application/json' -d '{"channel": "bank transfer"}' "$ALICE/resume"; echo
echo "a value the form does not offer is refused (HTTP 422, naming the field):"
show curl -s -X POST -H 'Content-Type: application/json' -d '{"channel": "card", "amount": 1000000}' "$BOB/resume"; echo
echo "bob approves with a form post, as his browser would:"
curl -s -o /dev/null -w "  POST form -> HTTP %{http_code}\n" -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
  --data 'channel=bank+transfer&note=second+approval&urgent=true' "$BOB/resume"
echo "the gate is closed now; bob's browser resending the form learns it counted (HTTP 200, nothing changes):"
show curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' -H 'Accept: application/json' \
  --data 'channel=bank+transfer&note=second+approval&urgent=true' "$BOB/resume"; echo
show "$BIN/sluice" job wait "$FLOW" --timeout 30
show "$BIN/sluice" job show "$FLOW"

step "a fan-out: each line of an order approved on its own, all lines asked at once"
show "$BIN/sluice" flow push f/examples/order_lines examples/flows/order-lines.flow.yaml
LINES='{"order_id": "B-42", "lines": [{"sku": "desk", "quantity": 2}, {"sku": "lamp", "quantity": 1}, {"sku": "piano", "quantity": 1}]}'
FAN="$("$BIN/sluice" run f/examples/order_lines --args "$LINES" --as carol)"
echo "started flow $FAN"
for _ in $(seq 1 200); do
  [ "$("$BIN/sluice" suspended --json | python3 -c "import json, sys; print(sum(1 for g in json.load(sys.stdin) if g['flow'] == '$FAN' and g['state'] == 'open'))")" = 3 ] && break
  sleep 0.05
done
echo "three gates, one per parallel iteration:"
show "$BIN/sluice" suspended
link_of() { # the approval link iteration $1's step printed
  "$BIN/sluice" job show "$FAN" --json | python3 -c "
import json, sys
steps = [s for s in json.load(sys.stdin)['steps'] if s.get('module_id') == 'ask']
print('\n'.join(s['id'] for s in steps))" | while read -r id; do "$BIN/sluice" job logs "$id"; done | awk -v n="line $1 " 'index($0, n) == 1 {print $NF}'
}
echo "line 0 and line 1 approved, line 2 (the piano) rejected with a reason:"
curl -s -o /dev/null -w "  line 0 -> HTTP %{http_code}\n" -X POST -H 'Content-Type: application/json' -d '{}' "$(link_of 0)/resume"
curl -s -o /dev/null -w "  line 1 -> HTTP %{http_code}\n" -X POST -H 'Content-Type: application/json' -d '{}' "$(link_of 1)/resume"
curl -s -o /dev/null -w "  line 2 -> HTTP %{http_code}\n" -X POST -H 'Content-Type: application/json' -d '{"reason": "not in the budget"}' "$(link_of 2)/cancel"
show "$BIN/sluice" job wait "$FAN" --timeout 30
show "$BIN/sluice" job show "$FAN"

step "a schedule: f/examples/hello every 3 seconds, each tick fired once by the scheduler"
show "$BIN/sluice" schedule set demo-greeting --path f/examples/hello --cron '*/3 * * * * *' -a name=cron --as demo-operator
show "$BIN/sluice" schedule next demo-greeting --count 3
echo "(waiting for three runs...)"
for _ in $(seq 1 200); do
  "$BIN/sluice" schedule show demo-greeting --json | python3 -c \
    'import json, sys; runs = json.load(sys.stdin)["runs"]; sys.exit(0 if sum(1 for r in runs if r["settled"]) >= 3 else 1)' && break
  sleep 0.1
done
show "$BIN/sluice" schedule show demo-greeting --runs 5
show "$BIN/sluice" schedule list
show "$BIN/sluice" schedule pause demo-greeting

step "queues and workers"
show "$BIN/sluice" queues
echo "(sluice top is the same view live in a terminal; piped, it prints one snapshot:)"
show "$BIN/sluice" top

step "the console saw it all"
echo "its overview, as text (queue, pending, running, delayed, succeeded, failed, canceled, last minute):"
curl -s "http://127.0.0.1:$CONSOLE_PORT/" | python3 -c '
import re, sys
for row in re.findall(r"<tr data-queue=\"([^\"]+)\">(.*?)</tr>", sys.stdin.read()):
    print(row[0], *re.findall(r"<td class=\"\w+\">(\d+)</td>", row[1]))'
echo "alice's inbox link (every gate she may still decide; none is left open now):"
show "$BIN/sluice" inbox link alice
if [ -n "${SLUICE_DEMO_HOLD:-}" ]; then
  printf '\nthe console stays up on http://127.0.0.1:%s/ until Enter or Ctrl-C\n' "$CONSOLE_PORT"
  read -r _ || true
fi
printf '\ndemo finished: everything it started is being stopped.\n'
