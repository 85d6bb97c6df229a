text="${1:-}"
# The result is the last line a bash script prints.
echo "$text" | wc -w | tr -d ' '
