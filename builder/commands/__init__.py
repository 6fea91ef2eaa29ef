"""The command line and the tools beside the build: check, publish, scaffold, glossary report, import.

`cli.main()` parses `python -m builder …` and calls the build, the preview or
one of these tools; `printing` shows diagnostics for people and for CI.

May import: every other package of the builder.
"""
