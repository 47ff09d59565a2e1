"""The nightly points expiry (task ``loyalty.expire_points``, command ``expire_points``)."""
