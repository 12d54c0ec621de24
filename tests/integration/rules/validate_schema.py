#!/usr/bin/env python3
"""Validates YAML rule files against rules/schema.json, as an editor's YAML language server
would. Usage: validate_schema.py SCHEMA FILE... Prints one line per file ("ok FILE" or
"invalid FILE: reason"); exits 0 when every file is valid, 1 otherwise, 2 on usage errors."""

import json
import sys

import jsonschema
import yaml


def main(argv):
    if len(argv) < 3:
        print("usage: validate_schema.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    all_valid = True
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            document = yaml.safe_load(f)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            all_valid = False
            first = errors[0]
            where = "/".join(str(p) for p in first.path) or "(root)"
            print(f"invalid {path}: {where}: {first.message}")
        else:
            print(f"ok {path}")
    return 0 if all_valid else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
