"""The device side of Yimatong: the local store, the sync client and the technician CLI."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
