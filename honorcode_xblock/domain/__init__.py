"""
The honor code's domain, one module per concern. Entry points never import these modules: they call
:mod:`honorcode_xblock.api`, the one door, which hands each call to the module that owns it.
"""
