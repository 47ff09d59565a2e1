"""The persona card's loyalty section: the wallet, refunds to reverse, manual adjustments."""
