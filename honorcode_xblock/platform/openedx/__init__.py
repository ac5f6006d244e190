"""
The Open edX platform: the only package that calls edx-platform.

edx-platform is imported lazily inside each method, so these modules import anywhere (the tests run them against
doubles shaped like the real modules). Every method wraps one edx-platform call and names it. The class is put
together from one part per platform area.
"""
from honorcode_xblock.platform.base import Platform
from honorcode_xblock.platform.openedx.accounts import Accounts
from honorcode_xblock.platform.openedx.certificates import Certificates
from honorcode_xblock.platform.openedx.courseware import Courseware
from honorcode_xblock.platform.openedx.grades import Grades
from honorcode_xblock.platform.openedx.messages import Messages, determination_message_type

__all__ = ["OpenEdxPlatform", "determination_message_type"]


class OpenEdxPlatform(Courseware, Grades, Certificates, Accounts, Messages, Platform):
    """The honor code app inside the Open edX LMS and CMS."""

    name = "openedx"
