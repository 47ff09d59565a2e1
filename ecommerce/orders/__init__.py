"""Online orders: the order, its lines, the inventory it holds and its timeline, and the
services that place, move and expire them (called by the shop, the admin and tasks)."""
