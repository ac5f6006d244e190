"""
edx-ace (1.15.0, the version every stored openedx-platform pin names; read from its wheel) and the platform's
``ace_common``.

- ``edx_ace/ace.py`` ``send(msg, limit_to_channels=None)`` returns None and never raises for what stops a message: no
  channel registered (``UnsupportedChannelError``, skipped silently), a missing template (``TemplateDoesNotExist``,
  reported as a monitoring attribute) or a channel error (``ChannelError``, reported). Only a delivered message sends
  ``edx_ace.signals.ACE_MESSAGE_SENT`` (``edx_ace/utils/signals.py`` ``send_ace_message_sent_signal``, with the message's
  ``uuid`` and ``send_uuid``), synchronously, in the sending thread.
- ``edx_ace/presentation.py`` and ``renderers.py``: the email renders
  ``{app_label}/edx_ace/{name}/email/{from_name.txt,subject.txt,body.html,head.html,body.txt}`` with Django's loader.
- ``edx_ace/recipient.py`` ``Recipient(lms_user_id, email_address=None)``; ``edx_ace/message.py`` ``MessageType`` and
  ``Message``.
- openedx-platform @ e57a655d77b614f19223984e9805b1fb940ab192: ``openedx/core/djangoapps/ace_common/message.py``
  ``BaseMessageType``, ``template_context.py`` ``get_base_template_context(site)``, ``lang_pref`` ``LANGUAGE_KEY`` and
  ``user_api/preferences/api.py`` ``get_user_preference(user, key)``.
"""
import types
import uuid
from dataclasses import dataclass, field

import django.dispatch
from django.apps import apps
from django.template import TemplateDoesNotExist, loader

#: ``edx_ace.signals.ACE_MESSAGE_SENT``: one per process, as the real module's.
ACE_MESSAGE_SENT = django.dispatch.Signal()


@dataclass
class Recipient:
    """Mirrors ``edx_ace.recipient.Recipient`` (an attrs class): ``lms_user_id`` first."""

    lms_user_id: object
    email_address: object = None


@dataclass
class Message:  # pylint: disable=too-many-instance-attributes
    """Mirrors ``edx_ace.message.Message``: what ``MessageType.personalize`` returns and ``ace.send`` sends."""

    app_label: str
    name: str
    recipient: object = None
    expiration_time: object = None
    context: dict = field(default_factory=dict)
    send_uuid: object = None
    options: dict = field(default_factory=dict)
    language: object = None
    log_level: object = None
    uuid: object = field(default_factory=uuid.uuid4, init=False)

    def __post_init__(self):
        if self.recipient is not None and not isinstance(self.recipient, Recipient):  # attrs' instance_of validator
            raise TypeError(f"'recipient' must be an edx_ace.recipient.Recipient, not {self.recipient!r}")

    @property
    def unique_name(self):
        return f"{self.app_label}.{self.name}"


class MessageType:
    """Mirrors ``edx_ace.message.MessageType`` (an attrs class with these arguments)."""

    NAME = None
    APP_LABEL = None

    def __init__(self, context=None, expiration_time=None, app_label=None, name=None, options=None,
                 log_level=None):
        self.context = {} if context is None else context
        self.uuid = uuid.uuid4()
        self.expiration_time = expiration_time
        self.app_label = app_label or self.APP_LABEL or apps.get_containing_app_config(type(self).__module__).label
        self.name = name or self.NAME or type(self).__name__.lower()
        self.options = {} if options is None else options
        self.log_level = log_level

    def personalize(self, recipient, language, user_context):
        """A ``Message`` for one recipient: this type's context updated with ``user_context``."""
        context = dict(self.context)
        context.update(user_context)
        return Message(app_label=self.app_label, name=self.name, expiration_time=self.expiration_time,
                       context=context, send_uuid=self.uuid, recipient=recipient, language=language,
                       log_level=self.log_level, options=self.options)


class BaseMessageType(MessageType):
    """Mirrors ``openedx.core.djangoapps.ace_common.message.BaseMessageType`` (``from_address`` left unset)."""


#: The files ``edx_ace``'s email renderer loads (``RenderedEmail`` fields).
ACE_EMAIL_FILES = {"from_name": "from_name.txt", "subject": "subject.txt", "body_html": "body.html",
                   "head_html": "head.html", "body": "body.txt"}


def ace_modules(fake):
    """``edx_ace`` and the platform's ``ace_common``, language preference and user preference modules."""
    ace = types.ModuleType("edx_ace.ace")

    def send(msg, limit_to_channels=None):
        """Render the email; report (never raise) what stops it; signal a delivery."""
        fake.ace_messages.append(msg)
        if not fake.ace_channels:
            return  # UnsupportedChannelError from get_channel_for_message: ``continue``, not even a report
        rendered = {}
        for name, filename in ACE_EMAIL_FILES.items():
            path = f"{msg.app_label}/edx_ace/{msg.name}/email/{filename}"
            try:
                if path in fake.ace_templates_missing:
                    raise TemplateDoesNotExist(path)
                rendered[name] = loader.get_template(path).render(msg.context)
            except TemplateDoesNotExist as error:
                fake.ace_errors.append(("template_error", str(error)))
                return
        if fake.ace_channel_error:  # FatalChannelDeliveryError (e.g. an SMTP error) caught in ``send``
            fake.ace_errors.append(("email_error", fake.ace_channel_error))
            return
        fake.ace_emails.append((msg, rendered))
        ACE_MESSAGE_SENT.send(sender=object(), message={
            "name": msg.name, "app_label": msg.app_label, "uuid": str(msg.uuid), "send_uuid": str(msg.send_uuid),
            "recipient": {"email": msg.recipient.email_address, "user_id": msg.recipient.lms_user_id},
            "channel": "DjangoEmailChannel", "context": msg.context, "options": msg.options,
            "message_language": msg.language,
        })

    ace.send = send
    signals = types.ModuleType("edx_ace.signals")
    signals.ACE_MESSAGE_SENT = ACE_MESSAGE_SENT
    recipient = types.ModuleType("edx_ace.recipient")
    recipient.Recipient = Recipient
    message = types.ModuleType("edx_ace.message")
    message.MessageType, message.Message = MessageType, Message
    ace_message = types.ModuleType("openedx.core.djangoapps.ace_common.message")
    ace_message.BaseMessageType = BaseMessageType
    template_context = types.ModuleType("openedx.core.djangoapps.ace_common.template_context")

    def get_base_template_context(site):
        fake.template_context_sites.append(site)
        return {
            "homepage_url": "/", "dashboard_url": "/dashboard", "template_revision": None,
            "platform_name": fake.platform_name, "contact_email": "support@example.com",
            "contact_mailing_address": "", "social_media_urls": {}, "social_media_logo_urls": {},
            "mobile_store_urls": {}, "mobile_store_logo_urls": {}, "logo_url": "/static/logo.png",
            "site_configuration_values": site.configuration.site_values if hasattr(site, "configuration") else {},
        }

    template_context.get_base_template_context = get_base_template_context
    lang_pref = types.ModuleType("openedx.core.djangoapps.lang_pref")
    lang_pref.LANGUAGE_KEY = "pref-lang"
    preferences = types.ModuleType("openedx.core.djangoapps.user_api.preferences.api")
    preferences.get_user_preference = lambda user, key, username=None: fake.preferences.get((user.pk, key))
    return {"edx_ace.ace": ace, "edx_ace.signals": signals, "edx_ace.recipient": recipient,
            "edx_ace.message": message, "openedx.core.djangoapps.ace_common.message": ace_message,
            "openedx.core.djangoapps.ace_common.template_context": template_context,
            "openedx.core.djangoapps.lang_pref": lang_pref,
            "openedx.core.djangoapps.user_api": types.ModuleType("openedx.core.djangoapps.user_api"),
            "openedx.core.djangoapps.user_api.preferences":
                types.ModuleType("openedx.core.djangoapps.user_api.preferences"),
            "openedx.core.djangoapps.user_api.preferences.api": preferences}
