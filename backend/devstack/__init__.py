"""The local dev stack: moto standing in for AWS, seeded from the operations guide, and shop-api on top.

`DevStack(data_dir).start()` returns a `StackInfo`; `python -m backend.devstack` runs one until signalled.
"""

from backend.devstack.info import DemoUser, StackInfo
from backend.devstack.stack import DevStack

__all__ = ["DemoUser", "DevStack", "StackInfo"]
