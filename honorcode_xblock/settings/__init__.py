"""Settings the honor code app adds to the LMS and CMS through edx-django-utils' plugin framework."""
