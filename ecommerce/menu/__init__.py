"""The Cova menu and inventory sync: DetailedProductData once, then UpdatedAsOf."""
