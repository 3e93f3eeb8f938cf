#!/usr/bin/env bash
# Prints the README's table of an AWS API's operations (apigateway by default, or
# apigatewayv2) from the binary's own route table.
set -euo pipefail
bin=${1:-target/release/portico}
api=${2:-apigateway}
echo "| operation | method and URI | status |"
echo "|---|---|---|"
"$bin" routes --api "$api" --supported | while read -r op method uri state; do
  mark=$([ "$state" = supported ] && echo "supported" || echo "**not yet**")
  echo "| $op | \`$method $uri\` | $mark |"
done
