"""
The determination message, sent through edx-ace.

Part of :class:`honorcode_xblock.platform.openedx.OpenEdxPlatform`: edx-platform is imported lazily inside each
method, and each method names the edx-platform call it wraps.
"""
from functools import lru_cache

from honorcode_xblock.exceptions import NotificationNotDelivered


class Messages:
    """The determination message, sent through edx-ace."""

    def send_notification(self, user, notification):
        """
        edx-ace: a ``HonorCodeDetermination`` message type (an ``openedx.core.djangoapps.ace_common.message.
        BaseMessageType``) personalized for ``edx_ace.recipient.Recipient(user.id, user.email)`` with the base
        template context of ``openedx.core.djangoapps.ace_common.template_context.get_base_template_context(site)``,
        sent with ``edx_ace.ace.send``. Templates: ``templates/honorcode/edx_ace/determination/email/``.

        The message is in the learner's language preference (``openedx.core.djangoapps.user_api.preferences.api.
        get_user_preference(user, LANGUAGE_KEY)``, as ``user_authn``'s password reset messages are) and branded with
        the site of ``SITE_ID`` (``Site.objects.get_current()``: a task has no request). ``ace.send`` neither raises
        nor returns anything for a message it could not deliver: the notification counts as sent only when edx-ace
        signals the delivery (:meth:`_delivered`); otherwise ``NotificationNotDelivered`` leaves it unsent, retried, and
        shown to course staff.
        """
        from django.contrib.sites.models import Site  # pylint: disable=import-outside-toplevel
        from edx_ace import ace  # pylint: disable=import-error,import-outside-toplevel
        from edx_ace.recipient import Recipient  # pylint: disable=import-error,import-outside-toplevel
        from openedx.core.djangoapps.ace_common.template_context import (
            get_base_template_context,  # pylint: disable=import-error,import-outside-toplevel
        )
        from openedx.core.djangoapps.lang_pref import (
            LANGUAGE_KEY,  # pylint: disable=import-error,import-outside-toplevel
        )
        from openedx.core.djangoapps.user_api.preferences.api import (
            get_user_preference,  # pylint: disable=import-error,import-outside-toplevel
        )

        message_type = determination_message_type()
        message = message_type(context=get_base_template_context(Site.objects.get_current())).personalize(
            recipient=Recipient(user.id, user.email), language=get_user_preference(user, LANGUAGE_KEY),
            user_context=notification.context,
        )
        if not self._delivered(ace, message):
            raise NotificationNotDelivered(
                f"edx-ace delivered no message {message.uuid}: no channel is configured, a template is missing or the "
                "channel failed (ace.send reports it in the LMS's monitoring only)"
            )

    @staticmethod
    def _delivered(ace, message):
        """
        ``edx_ace.ace.send(message)``, telling whether it was delivered: ``send`` returns None and swallows what stops
        a message (no channel, a missing template, a ``ChannelError``); only a delivery sends
        ``edx_ace.signals.ACE_MESSAGE_SENT`` (``edx_ace/utils/signals.py``), synchronously, with the message's uuid.
        """
        from edx_ace.signals import ACE_MESSAGE_SENT  # pylint: disable=import-error,import-outside-toplevel

        delivered, expected = [], str(message.uuid)

        def on_sent(sender, message=None, **kwargs):  # pylint: disable=unused-argument
            if isinstance(message, dict) and message.get("uuid") == expected:
                delivered.append(message.get("channel"))

        uid = f"honorcode-notification-{expected}"
        ACE_MESSAGE_SENT.connect(on_sent, weak=False, dispatch_uid=uid)
        try:
            ace.send(message)
        finally:
            ACE_MESSAGE_SENT.disconnect(dispatch_uid=uid)
        return bool(delivered)


@lru_cache(maxsize=None)
def determination_message_type():
    """
    The edx-ace message type of determination notifications, defined on first use (its base class is edx-platform's).

    ``edx_ace`` renders ``{APP_LABEL}/edx_ace/{NAME}/email/{subject.txt,body.txt,body.html,head.html,from_name.txt}``.
    """
    from openedx.core.djangoapps.ace_common.message import (
        BaseMessageType,  # pylint: disable=import-error,import-outside-toplevel
    )

    class HonorCodeDetermination(BaseMessageType):
        """A respondent's notification of the determination of an honor code case (transactional)."""

        APP_LABEL = "honorcode"
        NAME = "determination"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.options["transactional"] = True  # pylint: disable=no-member

    return HonorCodeDetermination
