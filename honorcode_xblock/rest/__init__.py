"""The honor code's REST API, version 1 (``/api/honorcode/v1/``)."""
