#!/usr/bin/env bash
# The shipped bash completion (packaging/bash-completion/paymand) against the real binary:
# subcommands and options come from its --help, at every level. Usage: completion_test.sh PAYMAND
set -euo pipefail
binary=${1:?usage: completion_test.sh PATH-TO-PAYMAND}
cd "$(dirname "$0")/../../.."
source packaging/bash-completion/paymand
paymand() { "$binary" "$@"; }
failures=0
expect() {
    local line=$1 want=$2
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _paymand
    local got="${COMPREPLY[*]}"
    if [[ $got != "$want" ]]; then
        echo "FAIL: '$line' completed to '$got', expected '$want'"
        failures=$((failures + 1))
    fi
}
expect "paymand au" "audit auth"
expect "paymand audit re" "resolve report"
expect "paymand audit report --f" "--from --format"
expect "paymand audit report --month 2026-12 --j" "--json"
expect "paymand --ver" "--version"
expect "paymand auth lo" "login logout"
expect "paymand st" "status"
expect "paymand check -c" "-c"
expect "paymand check --config packaging/bash-completion/pa" "packaging/bash-completion/paymand"
if ((failures)); then
    exit 1
fi
echo "bash completion: all expectations met"
