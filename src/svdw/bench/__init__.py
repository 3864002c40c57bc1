"""`make bench`: the measurements of issue 15, each a median of repeated runs with its min and
max, comparisons as ratios measured in the same run on the same files. benchmarks/bench.py is
the driver; these modules measure one part each and know nothing of the command line."""
