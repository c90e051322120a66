"""chanspec's benchmark suite: chanspec's implementations against the peers installed here.

Run it with ``python benchmarks/run.py`` (see ``--help``); ``docs/performance.md`` explains the
scenarios and shows the last published run.
"""
