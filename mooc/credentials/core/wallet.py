"""Add to wallet, the pure parts: what a wallet is asked (a DIDAuthentication presentation
request), the links that start an exchange in a wallet app, and the holder's copy of a record.

The exchange follows the VC API exchanges the DCC Learner Credential Wallet speaks: the wallet
POSTs `{}` to the exchange URL and is asked to prove a DID (a challenge and the verifier's
domain, both signed into its answer); it POSTs the signed presentation and receives the record
issued again with that DID as `credentialSubject.id`, so it can later present it as its own.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

DID_AUTHENTICATION = "DIDAuthentication"
# The exchange's own service, named as the VC API's unmediated presentation flow names it.
UNMEDIATED_SERVICE = "UnmediatedPresentationService2021"
# The DCC Learner Credential Wallet: its universal link (opens the app, or its web page saying
# how to get it) and its custom scheme (opens the app directly on a phone that has it).
LCW_UNIVERSAL_LINK = "https://lcw.app/request.html"
LCW_SCHEME_LINK = "dccrequest://request"


def did_authentication_request(
    *, challenge: str, domain: str, exchange_url: str, accepted_methods: Sequence[str]
) -> dict[str, Any]:
    """The `verifiablePresentationRequest` a wallet gets when it starts the exchange."""
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": DID_AUTHENTICATION,
                    "acceptedMethods": [{"method": method} for method in accepted_methods],
                }
            ],
            "challenge": challenge,
            "domain": domain,
            "interact": {
                "service": [{"type": UNMEDIATED_SERVICE, "serviceEndpoint": exchange_url}]
            },
        }
    }


def wallet_links(*, issuer: str, challenge: str, exchange_url: str) -> tuple[str, str]:
    """The LCW deep links of an exchange: the universal (https) link, then the app scheme's.

    `auth_type=bearer`: the exchange URL's secret part is what lets the wallet in (no log-in).
    """
    query = urlencode(
        {
            "issuer": issuer,
            "auth_type": "bearer",
            "challenge": challenge,
            "vc_request_url": exchange_url,
        }
    )
    return f"{LCW_UNIVERSAL_LINK}?{query}", f"{LCW_SCHEME_LINK}?{query}"


def holder_copy(
    document: Mapping[str, Any],
    *,
    holder: str,
    credential_id: str,
    statuses: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The unsigned copy of a signed record, issued to `holder` (a DID): the same claims (the
    achievement, the result, the person identities the record states), its own `id` and status
    entries, and no proof (it is signed again). Raises `ValueError` for a record without one
    credential subject."""
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise ValueError("a record copied to a wallet has one credential subject")
    copied = {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}
    copied["id"] = credential_id
    copied["credentialSubject"] = {
        "id": holder,
        **{key: copy.deepcopy(value) for key, value in subject.items() if key != "id"},
    }
    entries = [dict(entry) for entry in statuses]
    if not entries:
        copied.pop("credentialStatus", None)
    else:
        copied["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    return copied
