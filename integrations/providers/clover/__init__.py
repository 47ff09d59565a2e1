"""Clover REST v3: Bearer API token, merchant id in every path, cents and epoch ms."""
