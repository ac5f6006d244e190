"""
What a terminated account means for the learner: sign-in refused, and tokens of the account refused on every
request, at the cost of one cache read per request with a token on a site without terminations.
"""
import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from honorcode_xblock.domain import common
from honorcode_xblock.models import Sanction, SanctionKind, SanctionState
from honorcode_xblock.platform import get_platform

#: How long the cache keeps whether any account is terminated, and whether each account asked about is.
TERMINATION_CACHE_SECONDS = 3600
#: One cache entry, ``"<generation>:<1|0>"``: whether any account may be terminated, and the generation of the cached
#: answers per account, so that a request with a token costs one cache read on a site without terminations. Only a
#: reader that found no entry writes one (``cache.add``, from the database: "0" when none is terminated); applying or
#: reverting a termination writes a new generation with "1" once committed (``cache.set``, over anything). So a
#: reader's "none", computed before a termination committed, never outlives it, and an answer per account computed
#: before a change is kept under a generation nobody reads any more. After the last revert, "1" lasts until the entry
#: expires.
TERMINATION_STATE_KEY = "honorcode:terminations:state"


def _termination_state():
    """(generation of the per-account answers, or None when the cache cannot hold them; whether any may be in force)."""
    state = common.quietly(cache.get, TERMINATION_STATE_KEY)
    if state is None:
        in_force = Sanction.objects.filter(kind=SanctionKind.TERMINATE_ACCOUNT, state=SanctionState.APPLIED).exists()
        common.quietly(cache.add, TERMINATION_STATE_KEY, f"{uuid.uuid4().hex}:{int(in_force)}",
                       TERMINATION_CACHE_SECONDS)
        state = common.quietly(cache.get, TERMINATION_STATE_KEY)
        if state is None:
            return None, in_force
    generation, _sep, flag = state.rpartition(":")
    return generation, flag == "1"


def _account_terminated(username, generation):
    """Whether the account with this username was terminated (an applied termination), kept under ``generation``."""
    key = f"honorcode:terminations:{generation}:user:{hashlib.sha256(str(username).encode('utf-8')).hexdigest()}"
    cached = common.quietly(cache.get, key) if generation else None
    if cached is None:
        cached = Sanction.objects.filter(kind=SanctionKind.TERMINATE_ACCOUNT, state=SanctionState.APPLIED,
                                         user__username=username).exists()
        if generation:
            common.quietly(cache.set, key, cached, TERMINATION_CACHE_SECONDS)
    return cached


def forget_terminations(sanction):
    """After a termination is applied or reverted: a new generation of cached answers, once committed."""
    if sanction.kind == SanctionKind.TERMINATE_ACCOUNT:
        transaction.on_commit(lambda: common.quietly(cache.set, TERMINATION_STATE_KEY, f"{uuid.uuid4().hex}:1",
                                               TERMINATION_CACHE_SECONDS), robust=True)


def terminated_token_refusal(request):
    """
    The refusal for a request that carries a valid token (a JWT, or an OAuth2 bearer token) of a terminated account,
    or None. The platform checks no account state for a JWT it issued; a bearer token of an account whose password
    support set again would work too.

    The token's username is read cheaply first (a JWT's claim, unverified); only a terminated account's token is
    verified, so that a forged token learns nothing.
    """
    platform = get_platform()
    if not platform.request_carries_token(request):
        return None
    generation, any_in_force = _termination_state()
    if not any_in_force:
        return None
    username = platform.token_username(request, verified=False)
    if not username or not _account_terminated(username, generation):
        return None
    if platform.token_username(request, verified=True) != username:
        return None
    return _("Your use of this site was terminated following an honor code determination.")


def sign_in_proves_account(request, user):
    """
    Whether a sign-in request proves it comes from the holder of ``user``'s account (its own password, or a single
    sign-on): only then may the sign-in step say why the account is refused.
    """
    return bool(request is not None and get_platform().sign_in_proves_account(request, user))


def account_terminated(user):
    """Whether the learner's use of the site was terminated (an applied termination): the login step refuses."""
    return user is not None and getattr(user, "pk", None) is not None and Sanction.objects.in_force(
        user, None, [SanctionKind.TERMINATE_ACCOUNT])
