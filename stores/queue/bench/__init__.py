"""The queue benchmark (``manage.py bench_queue``): a company with many personas and their
sales, two stores with shoppers waiting, and the queue page, its update call and the
persona changelist timed in one run."""
