"""Admin screens of the ecommerce app: Store > Integrations > COVA and Menu > Products."""

from ecommerce.admin import orders, products, runs, settings  # noqa: F401 - registers the admins
