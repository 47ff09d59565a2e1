"""The shop's pages; each module one page, each view thin over ``ecommerce.orders``."""
