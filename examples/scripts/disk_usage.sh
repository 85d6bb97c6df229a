# Reports how full a mount point is. Arguments are positional, declared Windmill style.
mount="${1:-/}"
threshold="${2:-90}"
used=$(df --output=pcent "$mount" | tail -n 1 | tr -dc '0-9')
echo "checking $mount: ${used}% used (threshold ${threshold}%)" >&2
# The last line of stdout is the result; it is JSON, so it is stored as JSON.
echo "{\"mount\": \"$mount\", \"used_percent\": $used, \"over_threshold\": $([ "$used" -ge "$threshold" ] && echo true || echo false)}"
