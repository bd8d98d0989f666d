"""The rule engine: loading and validating rule sets, check types, evaluation, verdict."""
