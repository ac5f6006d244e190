"""The honor code demo: the xblock-sdk workbench with the honor code app on the standalone platform."""
from honorcode_demo.celery import app as celery_app

__all__ = ["celery_app"]
