#!/usr/bin/env bash
# Prints the README's table of apigateway operations from the binary's own route table.
set -euo pipefail
bin=${1:-target/release/portico}
echo "| operation | method and URI | status |"
echo "|---|---|---|"
"$bin" routes --api apigateway --supported | while read -r op method uri state; do
  mark=$([ "$state" = supported ] && echo "supported" || echo "**not yet**")
  echo "| $op | \`$method $uri\` | $mark |"
done
