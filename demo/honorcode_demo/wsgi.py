"""The demo as a WSGI application, for a real server (the integration suite runs it under gunicorn)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "honorcode_demo.settings")

application = get_wsgi_application()
