"""The central server of Yimatong: sync API, database, workflow and console.

This package's `__init__` stays empty of imports so that devices can import
`server_sync.protocol` without loading the web server.
"""

__version__ = "0.1.0"
