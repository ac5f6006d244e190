"""
honorcode-xblock: the Honor Code XBlock and the Django app that keeps the honor code's versions and acceptances.

The XBlock class is imported lazily: the package is also a Django app, and Django imports it while the app
registry is still loading, before the block's models can be imported.
"""

__version__ = "0.1.0"



def __getattr__(name):
    """Resolve ``honorcode_xblock.HonorCodeXBlock`` (the ``xblock.v1`` entry point) on first use."""
    if name == "HonorCodeXBlock":
        from honorcode_xblock.block import HonorCodeXBlock  # pylint: disable=import-outside-toplevel

        return HonorCodeXBlock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
