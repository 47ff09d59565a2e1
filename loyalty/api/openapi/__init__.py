"""The OpenAPI 3 document of the POS-facing API, built as code.

``components`` holds what every operation shares (the envelope, the errors, the X-APIKEY
scheme, the UID parameter); ``paths/`` has one module per endpoint group; ``builder``
puts them together and keeps only the paths this server actually answers.
"""
