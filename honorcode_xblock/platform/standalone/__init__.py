"""
The standalone platform: the honor code app outside Open edX (the demo, the tests, any Django site).

A Django app of its own (label ``honorcode_standalone``): it keeps the enrollments, certificates and grade overrides
that Open edX keeps elsewhere, in its own tables, so that an LMS that installs the package gets only the product's
tables. Sites that run on it install both apps::

    INSTALLED_APPS = [..., "honorcode_xblock", "honorcode_xblock.platform.standalone"]
    HONORCODE_PLATFORM = "honorcode_xblock.platform.standalone.platform.StandalonePlatform"

Nothing is imported here: Django imports this package while the app registry is still loading, before the models
can be (the platform class is in ``platform.py``, the records in ``models.py``).
"""
