"""The API benchmark (``manage.py bench_api``): a bench company, a gunicorn serving it on
loopback, concurrent clients, and a one-query view measured beside the API in the same run."""
